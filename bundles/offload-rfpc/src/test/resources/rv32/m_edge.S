/* The M extension on a table of operand pairs, including division by zero and signed overflow. */
#include "rt.h"
    START
    la s0, pairs
    la s1, pairs_end
1:  lw a0, 0(s0)
    lw a1, 4(s0)
    mul a2, a0, a1
    OUT(a2)
    mulh a2, a0, a1
    OUT(a2)
    mulhsu a2, a0, a1
    OUT(a2)
    mulhu a2, a0, a1
    OUT(a2)
    div a2, a0, a1
    OUT(a2)
    divu a2, a0, a1
    OUT(a2)
    rem a2, a0, a1
    OUT(a2)
    remu a2, a0, a1
    OUT(a2)
    addi s0, s0, 8
    bltu s0, s1, 1b
    /* rd equal to a source */
    li a3, -7
    li a4, 2
    div a3, a3, a4
    OUT(a3)
    rem a4, a3, a4
    OUT(a4)
    mul a4, a4, a4
    OUT(a4)
    FINISH

    .data
    .balign 4
pairs:
    .word 0, 0
    .word 1, 0
    .word -1, 0
    .word 0x80000000, 0
    .word 0x80000000, -1
    .word 0x80000000, 1
    .word 0x7fffffff, -1
    .word -1, -1
    .word 7, 2
    .word -7, 2
    .word 7, -2
    .word -7, -2
    .word 0xffffffff, 0xffffffff
    .word 0x80000000, 0x80000000
    .word 0x12345678, 0x9abcdef0
    .word 0x9abcdef0, 0x12345678
    .word 0xffffffff, 2
    .word 3, 0xfffffffd
    .word 0x7fffffff, 0x7fffffff
    .word 123456789, 1000
pairs_end:
