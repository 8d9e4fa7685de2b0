# title: data_end > ptr: the jump side is in bounds
# type: xdp
# result: accept
ldxw %r2, [%r1+0]
ldxw %r3, [%r1+4]
mov %r4, %r2
add %r4, 4
jgt %r3, %r4, ok
mov %r0, 1
exit
ok:
ldxw %r0, [%r2+0]
exit
