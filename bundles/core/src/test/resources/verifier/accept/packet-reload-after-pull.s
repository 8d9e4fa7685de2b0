# title: packet pointers reloaded and checked again after bpf_skb_pull_data
# type: sched_cls
# result: accept
mov %r6, %r1
mov %r1, %r6
mov %r2, 14
call 39
ldxw %r7, [%r6+76]
ldxw %r8, [%r6+80]
mov %r2, %r7
add %r2, 14
jgt %r2, %r8, out
ldxb %r0, [%r7+13]
exit
out:
mov %r0, 0
exit
