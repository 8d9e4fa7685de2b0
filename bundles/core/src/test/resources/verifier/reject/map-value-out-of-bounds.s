# title: a read past value_size
# type: xdp
# map: hash:4:8:16
# result: reject
# error: invalid access to map value, value_size=8 off=8 size=4
# error: R0 min value is outside of the allowed memory range
# insn: 7
stw [%r10-4], 0
mov %r2, %r10
add %r2, -4
ld_map_fd %r1, 0
call 1
jeq %r0, 0, out
ldxw %r1, [%r0+8]
out:
mov %r0, 0
exit
