# title: stack accesses are aligned to their size
# type: xdp
# result: reject
# error: misaligned stack access off (0x0; 0x0)+0+-4 size 8
# insn: 1
mov %r1, 1
stxdw [%r10-4], %r1
mov %r0, 0
exit
