# title: a pointer and a constant spilled and filled
# type: xdp
# result: accept
stxdw [%r10-8], %r1
mov %r1, 0
ldxdw %r1, [%r10-8]
ldxw %r0, [%r1+12]
mov %r2, 42
stxdw [%r10-16], %r2
ldxdw %r3, [%r10-16]
jeq %r3, 42, ok
mov %r0, %r9
ok:
exit
