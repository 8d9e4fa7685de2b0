# title: a tail call in a sub-program under small caller frames
# type: xdp
# map: prog_array:4:4:4
# result: accept
stdw [%r10-64], 0
call local f
mov %r0, 0
exit
f:
ld_map_fd %r2, 0
mov %r3, 0
call 12
mov %r0, 0
exit
