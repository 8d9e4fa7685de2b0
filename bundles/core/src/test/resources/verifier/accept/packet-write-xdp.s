# title: XDP may write the packet
# type: xdp
# result: accept
ldxw %r2, [%r1+0]
ldxw %r3, [%r1+4]
mov %r4, %r2
add %r4, 1
jgt %r4, %r3, out
stb [%r2+0], 1
out:
mov %r0, 2
exit
