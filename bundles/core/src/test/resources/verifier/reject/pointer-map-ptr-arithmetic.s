# title: a map pointer is not memory
# type: xdp
# map: hash:4:8:16
# result: reject
# error: R1 pointer arithmetic on map_ptr prohibited
ld_map_fd %r1, 0
add %r1, 8
mov %r0, 0
exit
