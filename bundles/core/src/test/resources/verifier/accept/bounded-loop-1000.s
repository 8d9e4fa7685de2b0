# title: a thousand iterations
# type: xdp
# result: accept
mov %r0, 0
mov %r1, 0
loop:
add %r0, 3
add %r1, 1
jlt %r1, 1000, loop
exit
