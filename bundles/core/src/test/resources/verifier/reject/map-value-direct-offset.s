# title: direct value offset past value_size
# type: xdp
# map: array:4:8:1
# result: reject
# error: invalid access to map value pointer, value_size=8 off=8
ld_map_value %r1, 0, 8
mov %r0, 0
exit
