# title: subtracting a pointer from a scalar
# type: xdp
# result: reject
# error: R2 tried to subtract pointer from scalar
mov %r2, 0
sub %r2, %r1
mov %r0, 0
exit
