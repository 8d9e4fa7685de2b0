# title: the stack is below the frame pointer
# type: xdp
# result: reject
# error: invalid write to stack R10 off=0 size=8
# insn: 0
stdw [%r10+0], 1
mov %r0, 0
exit
