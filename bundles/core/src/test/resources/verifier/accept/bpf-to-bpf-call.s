# title: a callee writes the caller's stack through a pointer
# type: xdp
# result: accept
mov %r1, %r10
add %r1, -8
call local fill
ldxdw %r0, [%r10-8]
exit
fill:
mov %r2, 7
stxdw [%r1+0], %r2
mov %r0, 0
exit
