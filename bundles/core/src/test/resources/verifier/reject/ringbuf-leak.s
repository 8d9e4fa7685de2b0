# title: reserved memory never submitted
# type: xdp
# map: ringbuf:0:0:4096
# result: reject
# error: Unreleased reference id=1 alloc_insn=4
ld_map_fd %r1, 0
mov %r2, 8
mov %r3, 0
call 131
jeq %r0, 0, out
stdw [%r0+0], 1
out:
mov %r0, 0
exit
