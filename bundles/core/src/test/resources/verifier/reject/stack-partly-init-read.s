# title: half of the slot is written
# type: xdp
# result: reject
# error: invalid read from stack off -8+4 size 8
# insn: 1
stw [%r10-8], 0
ldxdw %r0, [%r10-8]
exit
