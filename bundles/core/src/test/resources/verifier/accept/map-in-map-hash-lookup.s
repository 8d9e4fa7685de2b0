# title: a lookup in a hash_of_maps gives the inner map (a hash) after the null check
# type: xdp
# map: hash_of_maps:8:4:16
# inner-map: 0 hash:4:8:64
# result: accept
stdw [%r10-8], 1
mov %r2, %r10
add %r2, -8
ld_map_fd %r1, 0
call 1
jeq %r0, 0, none
stw [%r10-12], 0
mov %r2, %r10
add %r2, -12
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
