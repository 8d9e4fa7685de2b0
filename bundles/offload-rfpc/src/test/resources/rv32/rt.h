/* Runtime for the cross-check programs: the same bytes run on qemu-riscv32 and on the simulator.
 * Every register is cleared at start and sp points into .bss, so final registers are comparable.
 * OUT appends a register to the output buffer (s11 is the cursor); FINISH writes the output buffer,
 * then all registers x0..x31, to stdout and exits with a0's low byte. */
#define OUT(r) sw r, 0(s11); addi s11, s11, 4

.macro START
    .section .bss
    .balign 16
stack: .space 4096
stack_top:
    .globl out
out: .space 8192
    .text
    .globl _start
_start:
    .option push
    .option norelax
    li x1, 0
    la sp, stack_top
    li x3, 0
    li x4, 0
    li x5, 0
    li x6, 0
    li x7, 0
    li x8, 0
    li x9, 0
    li x10, 0
    li x11, 0
    li x12, 0
    li x13, 0
    li x14, 0
    li x15, 0
    li x16, 0
    li x17, 0
    li x18, 0
    li x19, 0
    li x20, 0
    li x21, 0
    li x22, 0
    li x23, 0
    li x24, 0
    li x25, 0
    li x26, 0
    li x27, 0
    la x27, out
    li x28, 0
    li x29, 0
    li x30, 0
    li x31, 0
    .option pop
.endm

.macro FINISH
    addi sp, sp, -128
    sw x0, 0(sp)
    sw x1, 4(sp)
    sw x3, 12(sp)
    sw x4, 16(sp)
    sw x5, 20(sp)
    sw x6, 24(sp)
    sw x7, 28(sp)
    sw x8, 32(sp)
    sw x9, 36(sp)
    sw x10, 40(sp)
    sw x11, 44(sp)
    sw x12, 48(sp)
    sw x13, 52(sp)
    sw x14, 56(sp)
    sw x15, 60(sp)
    sw x16, 64(sp)
    sw x17, 68(sp)
    sw x18, 72(sp)
    sw x19, 76(sp)
    sw x20, 80(sp)
    sw x21, 84(sp)
    sw x22, 88(sp)
    sw x23, 92(sp)
    sw x24, 96(sp)
    sw x25, 100(sp)
    sw x26, 104(sp)
    sw x27, 108(sp)
    sw x28, 112(sp)
    sw x29, 116(sp)
    sw x30, 120(sp)
    sw x31, 124(sp)
    addi x1, sp, 128
    sw x1, 8(sp)
    li a7, 64
    li a0, 1
    la a1, out
    sub a2, s11, a1
    ecall
    li a7, 64
    li a0, 1
    mv a1, sp
    li a2, 128
    ecall
    lw a0, 40(sp)
    li a7, 93
    ecall
.endm
