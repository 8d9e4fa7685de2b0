# title: programs cannot update a map-in-map (check_map_func_compatibility)
# type: xdp
# map: array_of_maps:4:4:2
# inner-map: 0 array:4:8:4
# result: reject
# error: cannot pass map_type 12 into func bpf_map_update_elem#2
stw [%r10-4], 1
stw [%r10-8], 0
mov %r2, %r10
add %r2, -4
mov %r3, %r10
add %r3, -8
mov %r4, 0
ld_map_fd %r1, 0
call 2
mov %r0, 2
exit
