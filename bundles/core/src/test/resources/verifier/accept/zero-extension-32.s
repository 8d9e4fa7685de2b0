# title: a 32-bit result bounds a 64-bit index
# type: xdp
# map: array:4:8:1
# result: accept
stw [%r10-4], 0
mov %r2, %r10
add %r2, -4
ld_map_fd %r1, 0
call 1

jeq %r0, 0, out
ldxdw %r1, [%r0+0]
mov32 %r1, %r1
and32 %r1, 7
add %r0, %r1
ldxb %r0, [%r0+0]
exit
out:
mov %r0, 0
exit
