# title: multiplying a pointer
# type: xdp
# result: reject
# error: R1 pointer arithmetic with *= operator prohibited
mul %r1, 2
mov %r0, 0
exit
