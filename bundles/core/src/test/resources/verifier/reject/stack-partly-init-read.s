# title: half of the slot is written
# type: xdp
# result: reject
# error: invalid read from stack off -8+4 size 8
# insn: 1
# kernel: accept: a privileged loader (CAP_PERFMON) reads uninitialised stack (env->allow_uninit_stack); OBPF refuses it by policy unless allow-uninit-stack is set
stw [%r10-8], 0
ldxdw %r0, [%r10-8]
exit
