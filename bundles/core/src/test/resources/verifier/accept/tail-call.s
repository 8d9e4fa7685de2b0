# title: bpf_tail_call and the fall-through
# type: xdp
# map: prog_array:4:4:4
# result: accept
ld_map_fd %r2, 0
mov %r3, 0
call 12
mov %r0, 2
exit
