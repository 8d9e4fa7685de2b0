# title: socket filters cannot redirect
# type: socket_filter
# result: reject
# error: program of this type cannot use helper bpf_redirect#23
# insn: 2
mov %r1, 1
mov %r2, 0
call 23
mov %r0, 0
exit
