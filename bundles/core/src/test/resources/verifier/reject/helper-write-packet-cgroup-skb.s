# title: a helper may not write into the packet of a program type that cannot
# type: cgroup_skb
# result: reject
# error: helper access to the packet is not allowed
mov %r6, %r1
ldxw %r2, [%r6+76]
ldxw %r3, [%r6+80]
mov %r4, %r2
add %r4, 4
jgt %r4, %r3, out
mov %r1, %r6
mov %r3, %r2
mov %r2, 0
mov %r4, 4
call 26
out:
mov %r0, 1
exit
