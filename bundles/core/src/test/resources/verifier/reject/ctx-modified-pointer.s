# title: the context pointer moved
# type: xdp
# result: reject
# error: dereference of modified ctx ptr R1 off=4 disallowed
# insn: 1
add %r1, 4
ldxw %r0, [%r1+0]
exit
