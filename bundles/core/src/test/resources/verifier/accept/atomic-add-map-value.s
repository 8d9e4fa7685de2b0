# title: an atomic add on a map value
# type: xdp
# map: array:4:8:1
# result: accept
stw [%r10-4], 0
mov %r2, %r10
add %r2, -4
ld_map_fd %r1, 0
call 1

jeq %r0, 0, out
mov %r1, 1
lock add [%r0+0], %r1
out:
mov %r0, 0
exit
