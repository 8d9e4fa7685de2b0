# title: adding two pointers
# type: xdp
# result: reject
# error: R1 pointer += pointer prohibited
add %r1, %r10
mov %r0, 0
exit
