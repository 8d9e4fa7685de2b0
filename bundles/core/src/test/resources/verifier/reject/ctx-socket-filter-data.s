# title: socket filters have no direct packet access
# type: socket_filter
# result: reject
# error: invalid bpf_context access off=76 size=4
ldxw %r0, [%r1+76]
exit
