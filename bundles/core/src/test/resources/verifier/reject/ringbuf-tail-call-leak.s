# title: a tail call while holding a reference
# type: xdp
# map: ringbuf:0:0:4096
# map: prog_array:4:4:4
# result: reject
# error: tail_call would lead to reference leak
mov %r6, %r1
ld_map_fd %r1, 0
mov %r2, 8
mov %r3, 0
call 131

jeq %r0, 0, out
mov %r7, %r0
mov %r1, %r6
ld_map_fd %r2, 1
mov %r3, 0
call 12
mov %r1, %r7
mov %r2, 0
call 133
out:
mov %r0, 0
exit
