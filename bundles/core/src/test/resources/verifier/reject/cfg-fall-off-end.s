# title: the last instruction falls through
# type: xdp
# result: reject
# error: last insn is not an exit or jmp
mov %r0, 0
