# title: FLAT memory has the size the caller gives
# type: flat
# result: reject
# error: invalid access to memory, mem_size=16 off=16 size=8
# mem-size: 16
ldxdw %r0, [%r1+16]
exit
