# title: a tail call in a sub-program whose callers use more than 256 bytes of stack
# type: xdp
# map: prog_array:4:4:4
# result: reject
# error: tail_calls are not allowed when call stack of previous frames is 288 bytes. Too large
stdw [%r10-288], 0
call local f
mov %r0, 0
exit
f:
ld_map_fd %r2, 0
mov %r3, 0
call 12
mov %r0, 0
exit
