# title: pointer math with an unbounded signed value
# type: xdp
# map: array:4:8:1
# result: reject
# error: math between map_value pointer and register with unbounded min value is not allowed
stw [%r10-4], 0
mov %r2, %r10
add %r2, -4
ld_map_fd %r1, 0
call 1

jeq %r0, 0, out
ldxdw %r1, [%r0+0]
add %r0, %r1
out:
mov %r0, 0
exit
