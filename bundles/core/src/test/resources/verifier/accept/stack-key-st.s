# title: a key written with store-immediate
# type: xdp
# map: hash:8:8:4
# result: accept
stdw [%r10-8], 0
mov %r2, %r10
add %r2, -8
ld_map_fd %r1, 0
call 3
exit
