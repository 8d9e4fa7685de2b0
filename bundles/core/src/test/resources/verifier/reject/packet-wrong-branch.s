# title: the read is on the side where the packet is too short
# type: xdp
# result: reject
# error: invalid access to packet, off=0 size=1, R2(id=0,off=0,r=0)
# insn: 5
ldxw %r2, [%r1+0]
ldxw %r3, [%r1+4]
mov %r4, %r2
add %r4, 8
jle %r4, %r3, ok
ldxb %r0, [%r2+0]
exit
ok:
mov %r0, 0
exit
