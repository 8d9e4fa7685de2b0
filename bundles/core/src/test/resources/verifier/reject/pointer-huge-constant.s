# title: a constant too large for pointer math
# type: xdp
# result: reject
# error: math between ctx pointer and 1073741824 is not allowed
mov %r2, 0x40000000
add %r1, %r2
mov %r0, 0
exit
