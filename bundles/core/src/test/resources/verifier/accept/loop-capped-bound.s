# title: a loop bounded by a masked unknown
# type: xdp
# result: accept
ldxw %r2, [%r1+12]
and %r2, 15
mov %r0, 0
mov %r1, 0
loop:
jge %r1, %r2, out
add %r0, 2
add %r1, 1
ja loop
out:
exit
