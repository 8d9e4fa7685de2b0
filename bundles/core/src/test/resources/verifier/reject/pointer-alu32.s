# title: 32-bit arithmetic on a pointer
# type: xdp
# result: reject
# error: R1 32-bit pointer arithmetic prohibited
add32 %r1, 1
mov %r0, 0
exit
