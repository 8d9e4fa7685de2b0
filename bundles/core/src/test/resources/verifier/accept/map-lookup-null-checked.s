# title: a map value used after its null check
# type: xdp
# map: hash:4:8:16
# result: accept
stw [%r10-4], 0
mov %r2, %r10
add %r2, -4
ld_map_fd %r1, 0
call 1

jeq %r0, 0, out
ldxdw %r1, [%r0+0]
stxdw [%r0+0], %r1
out:
mov %r0, 0
exit
