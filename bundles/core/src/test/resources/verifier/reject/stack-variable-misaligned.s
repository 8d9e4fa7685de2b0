# title: a variable stack offset that may break the slot alignment
# type: xdp
# result: reject
# error: misaligned stack access off (0x0; 0x4)+-16+0 size 8
stdw [%r10-16], 0
stdw [%r10-8], 0
ldxw %r1, [%r1+12]
and %r1, 4
mov %r2, %r10
add %r2, -16
add %r2, %r1
ldxdw %r0, [%r2+0]
exit
