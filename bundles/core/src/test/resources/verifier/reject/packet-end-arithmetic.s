# title: data_end cannot move
# type: xdp
# result: reject
# error: R3 pointer arithmetic on pkt_end prohibited
# insn: 1
ldxw %r3, [%r1+4]
add %r3, 1
mov %r0, 0
exit
