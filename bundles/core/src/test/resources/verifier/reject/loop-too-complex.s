# title: a loop bounded only by a 32-bit unknown
# type: xdp
# result: reject
# error: BPF program is too large. Processed 20001 insn
# insn-limit: 20000
ldxw %r2, [%r1+12]
mov %r1, 0
loop:
add %r1, 1
jlt %r1, %r2, loop
mov %r0, 0
exit
