# title: the lookup result may be NULL
# type: xdp
# map: hash:4:8:16
# result: reject
# error: R0 invalid mem access 'map_value_or_null'
# insn: 6
stw [%r10-4], 0
mov %r2, %r10
add %r2, -4
ld_map_fd %r1, 0
call 1
ldxw %r0, [%r0+0]
exit
