# title: a loop whose state never changes
# type: xdp
# result: reject
# error: infinite loop detected at insn 1
# insn: 1
mov %r0, 0
loop:
jeq %r0, 0, loop
exit
