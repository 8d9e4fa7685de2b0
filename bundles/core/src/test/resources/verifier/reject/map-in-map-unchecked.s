# title: the value of a map-in-map lookup is no map until it is checked against null
# type: xdp
# map: array_of_maps:4:4:2
# inner-map: 0 array:4:8:4
# result: reject
# error: R1 type=map_value_or_null expected=map_ptr
# insn: 10
stw [%r10-4], 1
mov %r2, %r10
add %r2, -4
ld_map_fd %r1, 0
call 1
stw [%r10-8], 0
mov %r2, %r10
add %r2, -8
mov %r1, %r0
call 1
mov %r0, 2
exit
