# title: a map index with no --map
# type: xdp
# map: hash:4:8:16
# result: reject
# error: fd 3 is not pointing to valid bpf_map
# insn: 0
ld_map_fd %r1, 3
mov %r0, 0
exit
