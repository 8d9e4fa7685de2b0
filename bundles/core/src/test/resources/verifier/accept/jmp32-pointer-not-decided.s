# title: a 32-bit compare of a pointer with 0 is not decided: both sides are checked
# type: xdp
# result: accept
mov %r2, %r10
mov %r0, 0
jeq32 %r2, 0, +1
mov %r0, 1
exit
