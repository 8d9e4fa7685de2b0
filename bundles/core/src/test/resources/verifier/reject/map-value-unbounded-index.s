# title: an unchecked index added to a map value pointer
# type: xdp
# map: array:4:8:1
# result: reject
# error: R0 unbounded memory access, make sure to bounds check any such access
# insn: 9
stw [%r10-4], 0
mov %r2, %r10
add %r2, -4
ld_map_fd %r1, 0
call 1

jeq %r0, 0, out
ldxw %r1, [%r0+0]
add %r0, %r1
ldxb %r1, [%r0+0]
out:
mov %r0, 0
exit
