# title: BPF_ST into __sk_buff->mark of a tc program (Linux 6.3+ allows ST into the context)
# type: sched_cls
# result: accept
stw [%r1+8], 7
mov %r0, 0
exit
