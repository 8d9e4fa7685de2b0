# title: a number where a map is expected
# type: xdp
# result: reject
# error: R1 type=scalar expected=map_ptr
mov %r1, 0
mov %r2, %r10
call 1
mov %r0, 0
exit
