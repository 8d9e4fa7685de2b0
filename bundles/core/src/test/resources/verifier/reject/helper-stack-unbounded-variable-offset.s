# title: a helper given a stack pointer moved by an unchecked value
# type: xdp
# map: hash:4:8:16
# result: reject
# error: invalid unbounded variable-offset indirect access to stack R2
ldxw %r3, [%r1+12]
mov %r2, %r10
add %r2, -16
add %r2, %r3
ld_map_fd %r1, 0
call 1
mov %r0, 0
exit
