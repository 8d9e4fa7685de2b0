# title: IPv4 options: a variable header length checked again
# type: xdp
# result: accept
ldxw %r2, [%r1+0]
ldxw %r3, [%r1+4]
mov %r4, %r2
add %r4, 34
jgt %r4, %r3, drop
ldxb %r5, [%r2+14]
and %r5, 15
lsh %r5, 2
mov %r6, %r2
add %r6, %r5
add %r6, 14
mov %r7, %r6
add %r7, 8
jgt %r7, %r3, drop
ldxdw %r0, [%r6+0]
exit
drop:
mov %r0, 1
exit
