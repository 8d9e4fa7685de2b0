# title: a size with no upper bound
# type: xdp
# result: reject
# error: R2 unbounded memory access, use 'var &= const' or 'if (var < const)'
ldxw %r2, [%r1+12]
or %r2, 1
stdw [%r10-8], 0
mov %r1, %r10
add %r1, -8
call 6
mov %r0, 0
exit
