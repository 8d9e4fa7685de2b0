# title: packet read without a data_end check
# type: xdp
# result: reject
# error: invalid access to packet, off=0 size=1, R2(id=0,off=0,r=0)
# error: R2 offset is outside of the packet
# insn: 1
ldxw %r2, [%r1+0]
ldxb %r0, [%r2+0]
exit
