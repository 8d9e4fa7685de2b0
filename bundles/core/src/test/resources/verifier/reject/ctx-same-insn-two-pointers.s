# title: one load reads the context on one path and the stack on the other: it cannot be rewritten
# type: xdp
# result: reject
# error: same insn cannot be used with different pointers
# insn: 6
stdw [%r10-8], 0
ldxw %r2, [%r1+12]
jeq %r2, 0, ctx
mov %r1, %r10
add %r1, -8
ctx:
mov %r0, 0
ldxw %r0, [%r1+0]
exit
