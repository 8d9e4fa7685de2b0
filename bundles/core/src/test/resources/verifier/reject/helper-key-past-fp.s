# title: an 8-byte key at fp-4
# type: xdp
# map: hash:8:8:16
# result: reject
# error: invalid indirect access to stack R2 off=-4 size=8
stw [%r10-4], 0
mov %r2, %r10
add %r2, -4
ld_map_fd %r1, 0
call 1
mov %r0, 0
exit
