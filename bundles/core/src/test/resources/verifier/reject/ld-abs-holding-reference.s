# title: a legacy packet load may exit the program, so no reference may be held
# type: socket_filter
# map: ringbuf:0:0:4096
# result: reject
# error: BPF_LD_[ABS|IND] would lead to reference leak
mov %r6, %r1
ld_map_fd %r1, 0
mov %r2, 8
mov %r3, 0
call 131
jeq %r0, 0, out
mov %r7, %r0
ldabsb 0
mov %r1, %r7
mov %r2, 0
call 133
out:
mov %r0, 0
exit
