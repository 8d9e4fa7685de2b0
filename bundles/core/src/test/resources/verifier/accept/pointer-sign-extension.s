# title: movsx of a pointer gives an unknown scalar (a privileged loader may leak pointers: allow_ptr_leaks)
# type: xdp
# result: accept
movsx3264 %r0, %r1
exit
