# title: bpf_skb_pull_data may move the packet: pointers loaded before it are gone
# type: sched_cls
# result: reject
# error: R7 invalid mem access 'scalar'
mov %r6, %r1
ldxw %r7, [%r6+76]
ldxw %r8, [%r6+80]
mov %r2, %r7
add %r2, 14
jgt %r2, %r8, out
mov %r1, %r6
mov %r2, 14
call 39
ldxb %r0, [%r7+0]
exit
out:
mov %r0, 0
exit
