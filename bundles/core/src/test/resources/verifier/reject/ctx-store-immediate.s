# title: BPF_ST into the context
# type: xdp
# result: reject
# error: BPF_ST stores into R1 ctx is not allowed
stw [%r1+0], 0
mov %r0, 0
exit
