# title: direct value access needs an array map
# type: xdp
# map: hash:4:8:16
# result: reject
# error: no direct value access support for this map type
ld_map_value %r1, 0, 0
mov %r0, 0
exit
