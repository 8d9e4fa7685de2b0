# title: a callee stores its frame pointer in the caller's stack
# type: xdp
# result: reject
# error: cannot spill pointers to stack into stack frame of the caller
mov %r1, %r10
add %r1, -8
call local f
mov %r0, 0
exit
f:
mov %r2, %r10
stxdw [%r1+0], %r2
mov %r0, 0
exit
