# title: twelve u64 arguments at most
# type: raw_tracepoint
# result: reject
# error: invalid bpf_context access off=96 size=8
ldxdw %r0, [%r1+96]
exit
