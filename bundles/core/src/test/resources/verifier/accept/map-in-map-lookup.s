# title: a lookup in an array_of_maps gives the inner map after the null check, usable as a helper's map
# type: xdp
# map: array_of_maps:4:4:2
# inner-map: 0 array:4:8:4
# result: accept
stw [%r10-4], 1
mov %r2, %r10
add %r2, -4
ld_map_fd %r1, 0
call 1
jeq %r0, 0, none
stw [%r10-8], 0
mov %r2, %r10
add %r2, -8
mov %r1, %r0
call 1
jeq %r0, 0, pass
ldxdw %r1, [%r0+0]
add %r1, 1
stxdw [%r0+0], %r1
pass:
mov %r0, 2
exit
none:
mov %r0, 1
exit
