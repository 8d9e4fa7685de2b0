# title: atomics must be aligned, on map values as everywhere
# type: xdp
# map: array:4:16:1
# result: reject
# error: misaligned value access off (0x0; 0x0)+0+4 size 8
stw [%r10-4], 0
mov %r2, %r10
add %r2, -4
ld_map_fd %r1, 0
call 1
jeq %r0, 0, out
mov %r1, 1
lock add [%r0+4], %r1
out:
mov %r0, 0
exit
