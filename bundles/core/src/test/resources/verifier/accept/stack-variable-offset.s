# title: a read at a variable but initialised stack offset
# type: xdp
# result: accept
stdw [%r10-16], 0
stdw [%r10-8], 0
ldxw %r1, [%r1+12]
and %r1, 8
mov %r2, %r10
add %r2, -16
add %r2, %r1
ldxdw %r0, [%r2+0]
exit
