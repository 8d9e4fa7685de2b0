# title: a jump into the second half of a 16-byte load
# type: xdp
# result: reject
# error: jump into the middle of ldimm64 insn
mov %r0, 0
jeq %r1, 0, +1
lddw %r0, 0x100000002
exit
