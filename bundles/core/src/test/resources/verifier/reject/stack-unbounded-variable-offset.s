# title: a stack pointer moved by an unchecked 32-bit value
# type: xdp
# result: reject
# error: invalid unbounded variable-offset read from stack R2
ldxw %r1, [%r1+12]
lsh %r1, 3
mov %r2, %r10
add %r2, -16
add %r2, %r1
ldxdw %r0, [%r2+0]
exit
