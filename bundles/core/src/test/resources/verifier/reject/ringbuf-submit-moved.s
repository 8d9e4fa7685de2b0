# title: submitted at an offset
# type: xdp
# map: ringbuf:0:0:4096
# result: reject
# error: R1 must have zero offset when passed to release func
ld_map_fd %r1, 0
mov %r2, 8
mov %r3, 0
call 131
jeq %r0, 0, out
add %r0, 8
mov %r1, %r0
mov %r2, 0
call 132
out:
mov %r0, 0
exit
