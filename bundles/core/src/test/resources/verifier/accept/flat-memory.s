# title: a FLAT program reads its memory
# type: flat
# result: accept
# mem-size: 16
ldxdw %r0, [%r1+8]
exit
