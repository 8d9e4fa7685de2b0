# title: a kprobe reads pt_regs
# type: kprobe
# result: accept
ldxdw %r0, [%r1+112]
exit
