# title: a callee returns its own stack
# type: xdp
# result: reject
# error: cannot return stack pointer to the caller
call local f
exit
f:
mov %r0, %r10
exit
