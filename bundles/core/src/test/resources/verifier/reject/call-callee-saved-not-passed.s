# title: R6 is not an argument
# type: xdp
# result: reject
# error: R6 !read_ok
mov %r6, 1
call local f
exit
f:
mov %r0, %r6
exit
