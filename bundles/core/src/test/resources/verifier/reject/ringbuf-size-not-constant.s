# title: reserve needs a known size
# type: xdp
# map: ringbuf:0:0:4096
# result: reject
# error: R2 is not a known constant
ldxw %r2, [%r1+12]
ld_map_fd %r1, 0
mov %r3, 0
call 131
mov %r0, 0
exit
