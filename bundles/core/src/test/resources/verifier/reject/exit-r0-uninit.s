# title: R0 must be set at exit
# type: xdp
# result: reject
# error: R0 !read_ok
# insn: 0
exit
