# title: checked 4 bytes, read 8
# type: xdp
# result: reject
# error: invalid access to packet, off=0 size=8, R2(id=0,off=0,r=4)
# insn: 5
ldxw %r2, [%r1+0]
ldxw %r3, [%r1+4]
mov %r4, %r2
add %r4, 4
jgt %r4, %r3, drop
ldxdw %r0, [%r2+0]
exit
drop:
mov %r0, 1
exit
