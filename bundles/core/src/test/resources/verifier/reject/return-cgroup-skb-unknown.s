# title: an unchecked return value
# type: cgroup_skb
# result: reject
# error: At program exit the register R0 has smin=0 smax=4294967295 should have been in [0, 1]
ldxw %r0, [%r1+0]
exit
