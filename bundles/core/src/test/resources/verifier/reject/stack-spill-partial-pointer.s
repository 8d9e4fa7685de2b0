# title: a pointer spilled with 4 bytes
# type: xdp
# result: reject
# error: invalid size of register spill
# insn: 0
stxw [%r10-8], %r1
mov %r0, 0
exit
