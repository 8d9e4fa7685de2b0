# title: skb->len is read-only
# type: sched_cls
# result: reject
# error: invalid bpf_context access off=0 size=4
mov %r2, 0
stxw [%r1+0], %r2
mov %r0, 0
exit
