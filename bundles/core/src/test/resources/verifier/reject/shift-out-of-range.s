# title: a shift by 64
# type: xdp
# result: reject
# error: invalid shift 64
# insn: 1
mov %r0, 1
lsh %r0, 64
exit
