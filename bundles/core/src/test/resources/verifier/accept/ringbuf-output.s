# title: bpf_ringbuf_output from the stack
# type: xdp
# map: ringbuf:0:0:4096
# result: accept
stdw [%r10-8], 5
ld_map_fd %r1, 0
mov %r2, %r10
add %r2, -8
mov %r3, 8
mov %r4, 0
call 130
mov %r0, 0
exit
