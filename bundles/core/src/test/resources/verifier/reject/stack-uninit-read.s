# title: a stack slot read before it is written
# type: xdp
# result: reject
# error: invalid read from stack off -8+0 size 8
# insn: 0
ldxdw %r0, [%r10-8]
exit
