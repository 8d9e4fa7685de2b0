# title: a bpf_loop callback returns 0 or 1
# type: xdp
# result: reject
# error: At callback return the register R0 has smin=2 smax=2 should have been in [0, 1]
mov %r1, 4
ld_func %r2, cb
mov %r3, 0
mov %r4, 0
call 181
mov %r0, 0
exit
cb:
mov %r0, 2
exit
