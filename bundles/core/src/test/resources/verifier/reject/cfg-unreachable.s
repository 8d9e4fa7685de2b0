# title: dead code after exit
# type: xdp
# result: reject
# error: unreachable insn 2
# insn: 2
mov %r0, 0
exit
mov %r0, 1
exit
