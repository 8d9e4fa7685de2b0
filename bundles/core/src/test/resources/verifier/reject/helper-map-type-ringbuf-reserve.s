# title: bpf_ringbuf_reserve on a hash map
# type: xdp
# map: hash:4:8:16
# result: reject
# error: cannot pass map_type 1 into func bpf_ringbuf_reserve#131
ld_map_fd %r1, 0
mov %r2, 8
mov %r3, 0
call 131
mov %r0, 0
exit
