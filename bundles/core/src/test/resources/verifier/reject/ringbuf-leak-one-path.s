# title: submitted on one path only
# type: xdp
# map: ringbuf:0:0:4096
# result: reject
# error: Unreleased reference id=1 alloc_insn=4
ld_map_fd %r1, 0
mov %r2, 8
mov %r3, 0
call 131

jeq %r0, 0, out
ldxdw %r1, [%r0+0]
jeq %r1, 0, out
mov %r1, %r0
mov %r2, 0
call 132
out:
mov %r0, 0
exit
