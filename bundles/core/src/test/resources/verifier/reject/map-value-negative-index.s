# title: an index that may be negative
# type: xdp
# map: array:4:8:1
# result: reject
# error: R0 min value is negative, either use unsigned index or do a if (index >=0) check.
stw [%r10-4], 0
mov %r2, %r10
add %r2, -4
ld_map_fd %r1, 0
call 1

jeq %r0, 0, out
ldxw %r1, [%r0+0]
and %r1, 7
sub %r1, 4
add %r0, %r1
ldxb %r1, [%r0+0]
out:
mov %r0, 0
exit
