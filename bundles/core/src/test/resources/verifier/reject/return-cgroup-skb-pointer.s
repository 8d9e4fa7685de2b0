# title: a pointer returned
# type: cgroup_skb
# result: reject
# error: At program exit the register R0 is not a known value (ctx)
mov %r0, %r1
exit
