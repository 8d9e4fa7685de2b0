# title: a bpf-to-bpf call into the second half of a 16-byte load
# type: xdp
# result: reject
# error: jump into the middle of ldimm64 insn 4
call local +3
mov %r0, 0
exit
lddw %r0, 0x100000002
exit
