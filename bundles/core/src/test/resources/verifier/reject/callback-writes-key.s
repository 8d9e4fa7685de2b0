# title: for_each_map_elem keys are read-only
# type: xdp
# map: array:4:8:4
# result: reject
# error: write to change key R2 not allowed
ld_map_fd %r1, 0
ld_func %r2, cb
mov %r3, 0
mov %r4, 0
call 164
mov %r0, 0
exit
cb:
stw [%r2+0], 1
mov %r0, 0
exit
