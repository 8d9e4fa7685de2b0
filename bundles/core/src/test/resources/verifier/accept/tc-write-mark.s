# title: a tc program writes skb->mark
# type: sched_cls
# result: accept
mov %r2, 7
stxw [%r1+8], %r2
mov %r0, 0
exit
