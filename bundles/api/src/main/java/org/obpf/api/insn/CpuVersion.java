package org.obpf.api.insn;

/**
 * The instruction-set generations LLVM's {@code -mcpu=v1..v4} targets and the kernel accepts:
 * each one adds instructions to the previous one.
 */
public enum CpuVersion {
    /** The base set: 64-bit ALU, 32-bit ALU, JMP with {@code jeq..jsge}, memory, atomic add. */
    V1,
    /** Adds the unsigned and signed "less than" jumps ({@code jlt jle jslt jsle}). */
    V2,
    /** Adds the JMP32 class and the atomic operations other than add ({@code or and xor}, fetch forms, xchg, cmpxchg). */
    V3,
    /** Adds signed division and modulo, sign-extending moves and loads, {@code bswap} and {@code gotol}. */
    V4;

    /** The {@code -mcpu} spelling: {@code v1} .. {@code v4}. */
    public String mcpu() {
        return "v" + (ordinal() + 1);
    }
}
