# title: the inner map's value is as big as the template's, not the outer map's 4 bytes
# type: xdp
# map: array_of_maps:4:4:2
# inner-map: 0 array:4:8:4
# result: reject
# error: invalid access to map value, value_size=8 off=8 size=8
stw [%r10-4], 1
mov %r2, %r10
add %r2, -4
ld_map_fd %r1, 0
call 1
jeq %r0, 0, out
stw [%r10-8], 0
mov %r2, %r10
add %r2, -8
mov %r1, %r0
call 1
jeq %r0, 0, out
ldxdw %r0, [%r0+8]
out:
mov %r0, 2
exit
