/* Every RV32C instruction, written as c.* so the assembler cannot choose the long form. */
#include "rt.h"
    START
    .option rvc
    c.li a0, -32
    OUT(a0)
    c.li a1, 31
    OUT(a1)
    c.lui a2, 0xfffe1
    OUT(a2)
    c.lui a2, 1
    OUT(a2)
    c.addi a0, 31
    OUT(a0)
    c.addi a0, -32
    OUT(a0)
    c.nop
    c.addi16sp sp, -64
    c.addi16sp sp, 496
    c.addi16sp sp, -496
    c.addi4spn s0, sp, 4
    sub s0, s0, sp
    OUT(s0)
    c.addi4spn a5, sp, 1020
    sub a5, a5, sp
    OUT(a5)
    li a3, 0x8000ff01
    c.slli a3, 4
    OUT(a3)
    li a3, 0x8000ff01
    c.srli a3, 31
    OUT(a3)
    li a3, 0x8000ff01
    c.srai a3, 4
    OUT(a3)
    li a3, 0x8000ff01
    c.andi a3, -2
    OUT(a3)
    li a3, 0x8000ff01
    c.andi a3, 17
    OUT(a3)
    li s0, 100
    li s1, 0x0f0f
    mv a4, s0
    c.sub a4, s1
    OUT(a4)
    mv a4, s0
    c.xor a4, s1
    OUT(a4)
    mv a4, s0
    c.or a4, s1
    OUT(a4)
    mv a4, s0
    c.and a4, s1
    OUT(a4)
    c.mv t0, s1
    OUT(t0)
    c.add t0, s0
    OUT(t0)
    /* stack-relative and register-relative word access */
    li t1, 0x5a5a1234
    c.swsp t1, 0(sp)
    c.swsp t1, 252(sp)
    c.lwsp t2, 252(sp)
    OUT(t2)
    la s0, buf
    li a5, -77
    c.sw a5, 0(s0)
    c.sw a5, 124(s0)
    c.lw a4, 124(s0)
    OUT(a4)
    c.lw a4, 4(s0)
    OUT(a4)
    /* control transfer */
    li t3, 0
    li s1, 0
    c.beqz s1, 1f
    addi t3, t3, 1
1:  c.bnez s1, 2f
    addi t3, t3, 2
2:  li s1, 5
    c.beqz s1, 3f
    addi t3, t3, 4
3:  c.bnez s1, 4f
    addi t3, t3, 8
4:  OUT(t3)
    c.j 5f
    addi t3, t3, 100
5:  c.jal 6f
    OUT(ra)
    la t4, 7f
    c.jalr t4
    OUT(ra)
    la t4, 8f
    c.jr t4
    addi t3, t3, 1000
6:  OUT(ra)
    ret
7:  OUT(ra)
    c.jr ra
8:  OUT(t3)
    /* a backward compressed branch loop */
    li a0, 7
    li a1, 0
9:  c.addi a1, 3
    c.addi a0, -1
    c.bnez a0, 9b
    OUT(a1)
    FINISH

    .data
    .balign 4
buf:
    .word 1, 0xdeadbeef
    .space 128
