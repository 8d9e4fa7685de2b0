# title: a variable-offset read over an unwritten slot
# type: xdp
# result: reject
# error: invalid variable-offset read from stack R2 var_off=(0x0; 0x8) off=-16 size=8
# insn: 6
# kernel: accept: a privileged loader (CAP_PERFMON) reads uninitialised stack (env->allow_uninit_stack); OBPF refuses it by policy unless allow-uninit-stack is set
stdw [%r10-8], 0
ldxw %r1, [%r1+12]
and %r1, 8
mov %r2, %r10
add %r2, -16
add %r2, %r1
ldxdw %r0, [%r2+0]
exit
