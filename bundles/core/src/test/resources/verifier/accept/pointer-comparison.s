# title: privileged: pointers may be compared
# type: xdp
# result: accept
mov %r2, %r10
add %r2, -8
jgt %r2, %r10, out
mov %r0, 1
exit
out:
mov %r0, 0
exit
