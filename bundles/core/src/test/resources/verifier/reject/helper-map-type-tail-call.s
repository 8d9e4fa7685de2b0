# title: bpf_tail_call needs a prog array
# type: xdp
# map: array:4:4:4
# result: reject
# error: cannot pass map_type 2 into func bpf_tail_call#12
ld_map_fd %r2, 0
mov %r3, 0
call 12
mov %r0, 0
exit
