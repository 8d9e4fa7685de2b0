# title: past struct xdp_md
# type: xdp
# result: reject
# error: invalid bpf_context access off=24 size=4
# insn: 0
ldxw %r0, [%r1+24]
exit
