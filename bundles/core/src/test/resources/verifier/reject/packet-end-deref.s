# title: data_end cannot be read through
# type: xdp
# result: reject
# error: R3 invalid mem access 'pkt_end'
ldxw %r3, [%r1+4]
ldxb %r0, [%r3+0]
exit
