# title: bitwise operations on pointers
# type: xdp
# result: reject
# error: R1 bitwise operator &= on pointer prohibited
and %r1, 1
mov %r0, 0
exit
