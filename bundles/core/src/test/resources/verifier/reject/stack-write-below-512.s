# title: the stack is 512 bytes
# type: xdp
# result: reject
# error: invalid write to stack R10 off=-520 size=8
# insn: 0
stdw [%r10-520], 1
mov %r0, 0
exit
