# title: R6 must hold the skb
# type: socket_filter
# result: reject
# error: at the time of BPF_LD_ABS|IND R6 != pointer to skb
mov %r6, 0
ldabsb 0
exit
