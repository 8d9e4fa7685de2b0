# title: BPF_ST into a read-only context field (ST into the context is allowed where a STX would be)
# type: xdp
# result: reject
# error: invalid bpf_context access off=0 size=4
stw [%r1+0], 0
mov %r0, 0
exit
