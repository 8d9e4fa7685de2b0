# title: kernel functions are not available
# type: xdp
# result: reject
# error: kernel function calls are not supported
call kfunc 5
mov %r0, 0
exit
