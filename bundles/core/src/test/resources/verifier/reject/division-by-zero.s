# title: a constant zero divisor
# type: xdp
# result: reject
# error: division by zero
# insn: 1
mov %r0, 1
div %r0, 0
exit
