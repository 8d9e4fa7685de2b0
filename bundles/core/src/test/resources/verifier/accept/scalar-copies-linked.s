# title: a bound learnt on a copy holds for the original
# type: xdp
# map: array:4:16:1
# result: accept
stw [%r10-4], 0
mov %r2, %r10
add %r2, -4
ld_map_fd %r1, 0
call 1

jeq %r0, 0, out
ldxw %r1, [%r0+0]
mov %r2, %r1
jgt %r2, 8, out
add %r0, %r1
ldxdw %r0, [%r0+0]
exit
out:
mov %r0, 0
exit
