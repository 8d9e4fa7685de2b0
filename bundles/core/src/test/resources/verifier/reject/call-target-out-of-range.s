# title: a bpf-to-bpf call past the end of the program
# type: xdp
# result: reject
# error: call to invalid destination
call local +5
mov %r0, 0
exit
