# title: bpf_loop with a callback counting in the caller's stack
# type: xdp
# result: accept
stdw [%r10-8], 0
mov %r1, 10
ld_func %r2, cb
mov %r3, %r10
add %r3, -8
mov %r4, 0
call 181
ldxdw %r0, [%r10-8]
exit
cb:
ldxdw %r3, [%r2+0]
add %r3, 1
stxdw [%r2+0], %r3
mov %r0, 0
exit
