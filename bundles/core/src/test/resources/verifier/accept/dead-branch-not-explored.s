# title: a branch decided by constants leaves the other side unchecked
# type: xdp
# result: accept
mov %r1, 5
jgt %r1, 3, ok
mov %r0, %r7
exit
ok:
mov %r0, 0
exit
