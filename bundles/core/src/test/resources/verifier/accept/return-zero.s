# title: the smallest program
# type: xdp
# result: accept
mov %r0, 0
exit
