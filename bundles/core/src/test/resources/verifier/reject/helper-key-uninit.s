# title: the key on the stack was never written
# type: xdp
# map: hash:4:8:16
# result: reject
# error: invalid indirect read from stack R2 off -8+0 size 4
# kernel: accept: a privileged loader (CAP_PERFMON) reads uninitialised stack (env->allow_uninit_stack); OBPF refuses it by policy unless allow-uninit-stack is set
ld_map_fd %r1, 0
mov %r2, %r10
add %r2, -8
call 1
mov %r0, 0
exit
