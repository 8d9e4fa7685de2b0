# title: a jump past the end
# type: xdp
# result: reject
# error: jump out of range from insn 0 to 6
# insn: 0
ja +5
exit
