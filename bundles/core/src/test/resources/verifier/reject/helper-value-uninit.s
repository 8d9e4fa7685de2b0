# title: map_update_elem with an unwritten value
# type: xdp
# map: hash:4:8:16
# result: reject
# error: invalid indirect read from stack R3 off -16+0 size 8
# kernel: accept: a privileged loader (CAP_PERFMON) reads uninitialised stack (env->allow_uninit_stack); OBPF refuses it by policy unless allow-uninit-stack is set
stw [%r10-4], 0
ld_map_fd %r1, 0
mov %r2, %r10
add %r2, -4
mov %r3, %r10
add %r3, -16
mov %r4, 0
call 2
mov %r0, 0
exit
