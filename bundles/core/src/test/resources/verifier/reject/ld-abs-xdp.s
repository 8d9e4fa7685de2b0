# title: legacy packet loads belong to socket programs
# type: xdp
# result: reject
# error: BPF_LD_[ABS|IND] instructions not allowed for this program type
ldabsb 0
exit
