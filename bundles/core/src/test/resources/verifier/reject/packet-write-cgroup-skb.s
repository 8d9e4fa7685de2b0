# title: cgroup_skb reads the packet but may not write it
# type: cgroup_skb
# result: reject
# error: cannot write into packet
ldxw %r2, [%r1+76]
ldxw %r3, [%r1+80]
mov %r4, %r2
add %r4, 1
jgt %r4, %r3, out
stb [%r2+0], 1
out:
mov %r0, 1
exit
