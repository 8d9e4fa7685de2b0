# title: cgroup_skb returns 0 or 1
# type: cgroup_skb
# result: reject
# error: At program exit the register R0 has smin=2 smax=2 should have been in [0, 1]
mov %r0, 2
exit
