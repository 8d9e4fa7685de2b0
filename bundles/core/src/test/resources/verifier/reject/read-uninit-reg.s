# title: a register read before it is written
# type: xdp
# result: reject
# error: R2 !read_ok
# insn: 0
mov %r0, %r2
exit
