# title: movsx of a pointer
# type: xdp
# result: reject
# error: R1 sign-extension part of pointer
movsx3264 %r0, %r1
exit
