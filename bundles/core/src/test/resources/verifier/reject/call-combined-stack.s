# title: two frames over 512 bytes
# type: xdp
# result: reject
# error: combined stack size of 2 calls is 544. Too large
stdw [%r10-256], 0
call local f
mov %r0, 0
exit
f:
stdw [%r10-288], 0
mov %r0, 0
exit
