# title: arithmetic before the null check
# type: xdp
# map: hash:4:8:16
# result: reject
# error: R0 pointer arithmetic on map_value_or_null prohibited, null-check it first
stw [%r10-4], 0
mov %r2, %r10
add %r2, -4
ld_map_fd %r1, 0
call 1
add %r0, 4
mov %r0, 0
exit
