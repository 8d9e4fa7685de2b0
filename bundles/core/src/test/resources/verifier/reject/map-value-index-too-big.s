# title: a masked index still past the value
# type: xdp
# map: array:4:8:1
# result: reject
# error: invalid access to map value, value_size=8 off=255 size=1
# error: R0 max value is outside of the allowed memory range
stw [%r10-4], 0
mov %r2, %r10
add %r2, -4
ld_map_fd %r1, 0
call 1

jeq %r0, 0, out
ldxw %r1, [%r0+0]
and %r1, 255
add %r0, %r1
ldxb %r1, [%r0+0]
out:
mov %r0, 0
exit
