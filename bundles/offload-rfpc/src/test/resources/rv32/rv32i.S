/* Every RV32I instruction form, with edge values; every result goes to the output buffer. */
#include "rt.h"
    START
    /* lui, auipc */
    lui t0, 0xfffff
    OUT(t0)
    lui t0, 0x80000
    OUT(t0)
    auipc t1, 0
    auipc t2, 0x12345
    sub t2, t2, t1
    OUT(t2)
    /* I-type arithmetic with extreme immediates */
    li a0, 0x7fffffff
    addi a1, a0, 1
    OUT(a1)
    addi a1, a0, -2048
    OUT(a1)
    addi a1, a0, 2047
    OUT(a1)
    li a0, -5
    slti a1, a0, -4
    OUT(a1)
    slti a1, a0, -5
    OUT(a1)
    sltiu a1, a0, -1
    OUT(a1)
    sltiu a1, a0, 3
    OUT(a1)
    sltiu a1, zero, 1
    OUT(a1)
    xori a1, a0, -1
    OUT(a1)
    xori a1, a0, 0x555
    OUT(a1)
    ori a1, a0, 0x7f0
    OUT(a1)
    andi a1, a0, -16
    OUT(a1)
    andi a1, a0, 0x0ff
    OUT(a1)
    li a0, 0x80000001
    slli a1, a0, 0
    OUT(a1)
    slli a1, a0, 1
    OUT(a1)
    slli a1, a0, 31
    OUT(a1)
    srli a1, a0, 1
    OUT(a1)
    srli a1, a0, 31
    OUT(a1)
    srai a1, a0, 1
    OUT(a1)
    srai a1, a0, 31
    OUT(a1)
    /* R-type */
    li a2, 0x7fffffff
    li a3, 0x80000000
    add a4, a2, a3
    OUT(a4)
    add a4, a2, a2
    OUT(a4)
    sub a4, a3, a2
    OUT(a4)
    sub a4, zero, a3
    OUT(a4)
    li a5, 33
    sll a4, a2, a5
    OUT(a4)
    li a5, -1
    sll a4, a2, a5
    OUT(a4)
    srl a4, a3, a5
    OUT(a4)
    sra a4, a3, a5
    OUT(a4)
    li a5, 4
    srl a4, a3, a5
    OUT(a4)
    sra a4, a3, a5
    OUT(a4)
    slt a4, a3, a2
    OUT(a4)
    slt a4, a2, a3
    OUT(a4)
    sltu a4, a3, a2
    OUT(a4)
    sltu a4, a2, a3
    OUT(a4)
    sltu a4, zero, a2
    OUT(a4)
    xor a4, a2, a3
    OUT(a4)
    or a4, a2, a5
    OUT(a4)
    and a4, a3, a2
    OUT(a4)
    /* writes to x0 are dropped */
    addi x0, x0, 5
    add x0, a2, a2
    lui x0, 1
    OUT(x0)
    /* loads and stores, signed and unsigned, aligned and not */
    la s0, buf
    lb t3, 0(s0)
    OUT(t3)
    lbu t3, 0(s0)
    OUT(t3)
    lh t3, 0(s0)
    OUT(t3)
    lhu t3, 0(s0)
    OUT(t3)
    lw t3, 0(s0)
    OUT(t3)
    lw t3, 4(s0)
    OUT(t3)
    lh t3, 3(s0)
    OUT(t3)
    lw t3, 1(s0)
    OUT(t3)
    lb t3, -1(s0)
    OUT(t3)
    li t4, 0x12345678
    sb t4, 8(s0)
    sh t4, 10(s0)
    sw t4, 12(s0)
    sw t4, 17(s0)
    sh t4, 23(s0)
    lw t3, 8(s0)
    OUT(t3)
    lw t3, 12(s0)
    OUT(t3)
    lw t3, 16(s0)
    OUT(t3)
    lw t3, 20(s0)
    OUT(t3)
    lw t3, 24(s0)
    OUT(t3)
    fence
    /* branches: each taken and not taken; the path taken leaves a mark */
    li t5, 0
    li a0, -1
    li a1, 1
    beq a0, a1, 1f
    addi t5, t5, 1
1:  beq a0, a0, 2f
    addi t5, t5, 2
2:  bne a0, a0, 3f
    addi t5, t5, 4
3:  bne a0, a1, 4f
    addi t5, t5, 8
4:  blt a1, a0, 5f
    addi t5, t5, 16
5:  blt a0, a1, 6f
    addi t5, t5, 32
6:  bge a0, a1, 7f
    addi t5, t5, 64
7:  bge a0, a0, 8f
    addi t5, t5, 128
8:  bltu a0, a1, 9f
    addi t5, t5, 256
9:  bltu a1, a0, 10f
    addi t5, t5, 512
10: bgeu a1, a0, 11f
    addi t5, t5, 1024
11: bgeu a0, a1, 12f
    addi t5, t5, -2048
12: OUT(t5)
    /* backward branch loop */
    li t6, 0
    li a2, 10
13: addi t6, t6, 3
    addi a2, a2, -1
    bnez a2, 13b
    OUT(t6)
    /* jal and jalr: link values and register-indirect targets */
    jal ra, 20f
    OUT(ra)
    la a3, 21f
    jalr a4, 0(a3)
    j 22f
20: OUT(ra)
    ret
21: OUT(a4)
    addi a4, a4, 0
    jalr zero, 0(a4)
22: la a3, 23f
    addi a3, a3, 1
    jalr ra, -1(a3)
23: OUT(ra)
    FINISH

    .data
    .byte 0x81
buf:
    .byte 0xf0, 0x8e, 0x7c, 0xa5, 0x01, 0x80, 0xff, 0x7f
    .space 32
