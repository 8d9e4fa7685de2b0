# title: submitted twice
# type: xdp
# map: ringbuf:0:0:4096
# result: reject
# error: R1 type=scalar expected=ringbuf_mem
ld_map_fd %r1, 0
mov %r2, 8
mov %r3, 0
call 131

jeq %r0, 0, out
mov %r6, %r0
mov %r1, %r0
mov %r2, 0
call 132
mov %r1, %r6
mov %r2, 0
call 132
out:
mov %r0, 0
exit
