# title: xdp_md is read-only
# type: xdp
# result: reject
# error: invalid bpf_context access off=4 size=4
# insn: 1
mov %r2, 0
stxw [%r1+4], %r2
mov %r0, 0
exit
