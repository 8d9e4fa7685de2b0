# title: null check written as jne
# type: xdp
# map: hash:4:8:16
# result: accept
stw [%r10-4], 0
mov %r2, %r10
add %r2, -4
ld_map_fd %r1, 0
call 1

jne %r0, 0, use
mov %r0, 0
exit
use:
ldxw %r0, [%r0+4]
exit
