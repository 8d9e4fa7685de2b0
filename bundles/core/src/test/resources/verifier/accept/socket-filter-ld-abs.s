# title: legacy packet loads in a socket filter
# type: socket_filter
# result: accept
mov %r6, %r1
ldabsh 12
jne %r0, 0x800, drop
ldabsb 23
mov %r0, -1
exit
drop:
mov %r0, 0
exit
