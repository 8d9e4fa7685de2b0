# title: reserved memory submitted on one path, discarded on the other
# type: xdp
# map: ringbuf:0:0:4096
# result: accept
ld_map_fd %r1, 0
mov %r2, 16
mov %r3, 0
call 131
jeq %r0, 0, out
stdw [%r0+8], 1
mov %r1, %r0
ldxdw %r2, [%r0+0]
jeq %r2, 0, discard
mov %r2, 0
call 132
ja out
discard:
mov %r2, 0
call 133
out:
mov %r0, 0
exit
