/* An XDP program as the riscv32 JIT leaves it for the RFPC: entry called as u64 prog(ctx) under ilp32
 * (ctx = struct xdp_buff with 64-bit pointers in a0, ra = the device's exit), helpers called as ilp32
 * C functions, r0 returned in a0:a1. External references stay relocations against symbols named
 * map_N, map_value_N, helper_N and subprog_N; other global labels are places in the image itself.
 *
 * Map 0: array, value 8 bytes, 4 entries: [0] IPv4, [1] IPv6, [2] other (u32 counters); [3] total
 *        bytes (u32) and last length (u32), written by direct value access.
 * Map 1: hash, key u32 (last byte of the source MAC), value u64 count, for non-IPv4 frames.
 * IPv4 frames: MACs swapped by subprog_1, XDP_TX. Others: counted, traced, shortened by 4 bytes, XDP_PASS.
 * Frames under 14 bytes: XDP_DROP (test_run never sends those; the branch is for the JIT's shape). */
    .text
    .globl prog
prog:
    addi sp, sp, -48
    sw ra, 44(sp)
    sw s0, 40(sp)
    sw s1, 36(sp)
    sw s2, 32(sp)
    mv s0, a0
    lw s1, 0(s0)                /* data */
    lw s2, 8(s0)                /* data_end */
    addi t0, s1, 14
    bltu s2, t0, drop
    lbu t1, 12(s1)
    lbu t2, 13(s1)
    slli t1, t1, 8
    or t1, t1, t2
    li t3, 0x0800
    li a2, 0
    beq t1, t3, 1f
    li t3, 0x86dd
    li a2, 1
    beq t1, t3, 1f
    li a2, 2
1:  sw a2, 0(sp)
    lui a0, %hi(map_0)
    addi a0, a0, %lo(map_0)
    li a1, 0
    mv a2, sp
    li a3, 0
    call helper_1
    c.beqz a0, pass
    lw t0, 0(a0)
    addi t0, t0, 1
    sw t0, 0(a0)
    /* map 0, entry 3: bytes += len (pc-relative), last length = len (absolute) */
    sub t2, s2, s1
.Lv: auipc t0, %pcrel_hi(map_value_0 + 24)
    lw t1, %pcrel_lo(.Lv)(t0)
    add t1, t1, t2
.Lw: auipc t0, %pcrel_hi(map_value_0 + 24)
    sw t1, %pcrel_lo(.Lw)(t0)
    lui t0, %hi(map_value_0 + 28)
    sw t2, %lo(map_value_0 + 28)(t0)
    lw a2, 0(sp)
    bnez a2, other
    mv a0, s1
    jal ra, subprog_1
    li a0, 3
    j out
other:
    lbu t0, 11(s1)
    sw t0, 4(sp)
.Ll: auipc t0, %pcrel_hi(lit_map1)
    lw a0, %pcrel_lo(.Ll)(t0)
    li a1, 0
    addi a2, sp, 4
    li a3, 0
    call helper_1
    beqz a0, insert
    lw t0, 0(a0)
    lw t1, 4(a0)
    addi t2, t0, 1
    sltu t3, t2, t0
    add t1, t1, t3
    sw t2, 0(a0)
    sw t1, 4(a0)
    j traced
insert:
    li t0, 1
    sw t0, 8(sp)
    sw zero, 12(sp)
    lui a0, %hi(map_1)
    addi a0, a0, %lo(map_1)
    li a1, 0
    addi a2, sp, 4
    li a3, 0
    addi a4, sp, 8
    li a5, 0
    li a6, 0
    li a7, 0
    call helper_2
traced:
    /* bpf_trace_printk(fmt, sizeof fmt, key, len, 0x1122334455667788): the fifth argument on the stack */
    lw a4, 4(sp)
    li a5, 0
    sub a6, s2, s1
    li a7, 0
    li t0, 0x55667788
    sw t0, 0(sp)
    li t0, 0x11223344
    sw t0, 4(sp)
.Lf: auipc a0, %pcrel_hi(fmt)
    addi a0, a0, %pcrel_lo(.Lf)
    li a1, 0
    li a2, 23                   /* sizeof fmt */
    li a3, 0
    call helper_6
    /* bpf_xdp_adjust_tail(ctx, -4) */
    mv a0, s0
    li a1, 0
    li a2, -4
    li a3, -1
    call helper_65
    bnez a0, drop
    li a0, 2
    c.j out
pass:
    li a0, 2
    j out
drop:
    li a0, 1
    .globl out
out:
    li a1, 0
    lw ra, 44(sp)
    lw s0, 40(sp)
    lw s1, 36(sp)
    lw s2, 32(sp)
    addi sp, sp, 48
    ret

    /* swaps the two MAC addresses at a0 */
    .globl subprog_1
subprog_1:
    li a5, 6
1:  lbu t1, 0(a0)
    lbu t2, 6(a0)
    sb t2, 0(a0)
    sb t1, 6(a0)
    c.addi a0, 1
    c.addi a5, -1
    c.bnez a5, 1b
    ret

fmt: .asciz "key %d len %u tag %llx"
    .balign 4
lit_map1: .word map_1
lit_diff: .word out - prog
