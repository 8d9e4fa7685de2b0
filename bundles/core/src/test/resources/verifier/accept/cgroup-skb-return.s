# title: R0 masked into [0, 1]
# type: cgroup_skb
# result: accept
ldxw %r0, [%r1+0]
and %r0, 1
exit
