# title: reserved memory read before the null check
# type: xdp
# map: ringbuf:0:0:4096
# result: reject
# error: R0 invalid mem access 'ringbuf_mem_or_null'
ld_map_fd %r1, 0
mov %r2, 8
mov %r3, 0
call 131
ldxw %r1, [%r0+0]
mov %r0, 0
exit
