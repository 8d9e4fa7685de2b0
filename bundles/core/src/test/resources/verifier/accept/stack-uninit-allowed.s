# title: with allow_uninit_stack (CAP_PERFMON) an unwritten key is an unknown value, as in the kernel
# type: xdp
# map: hash:8:8:16
# allow-uninit-stack: true
# result: accept
stw [%r10-8], 1
mov %r2, %r10
add %r2, -8
ld_map_fd %r1, 0
call 1
ldxdw %r0, [%r10-16]
mov %r0, 0
exit
