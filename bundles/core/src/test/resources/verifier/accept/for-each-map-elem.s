# title: bpf_for_each_map_elem callback reads the value
# type: xdp
# map: array:4:8:4
# result: accept
ld_map_fd %r1, 0
ld_func %r2, cb
mov %r3, 0
mov %r4, 0
call 164
mov %r0, 0
exit
cb:
ldxdw %r0, [%r3+0]
mov %r0, 0
exit
