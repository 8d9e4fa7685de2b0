# title: a zero size where a size is required
# type: xdp
# result: reject
# error: R2 invalid zero-sized read: u64=[0,0]
stw [%r10-4], 0
mov %r1, %r10
add %r1, -4
mov %r2, 0
call 6
mov %r0, 0
exit
