# title: a write past the reserved size
# type: xdp
# map: ringbuf:0:0:4096
# result: reject
# error: invalid access to memory, mem_size=8 off=8 size=8
ld_map_fd %r1, 0
mov %r2, 8
mov %r3, 0
call 131
jeq %r0, 0, out
stdw [%r0+8], 1
mov %r1, %r0
mov %r2, 0
call 133
out:
mov %r0, 0
exit
