# title: xdp_md fields are read with 4 bytes
# type: xdp
# result: reject
# error: invalid bpf_context access off=0 size=8
ldxdw %r0, [%r1+0]
exit
