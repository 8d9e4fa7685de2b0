# title: half a spilled pointer read back
# type: xdp
# result: reject
# error: invalid size of register fill
# insn: 1
stxdw [%r10-8], %r1
ldxw %r0, [%r10-8]
exit
