package org.obpf.api.insn;

import static org.obpf.api.insn.Opcodes.*;

/**
 * One decoded instruction: its slot index, its operation and the raw fields, with the derived
 * facts tools ask for (width, operand source, access size, branch target). A 16-byte immediate
 * load is one {@code DecodedInsn} carrying the whole 64-bit immediate in {@link #imm64()}.
 *
 * @param index slot index of the (first) slot in the program
 * @param kind  the operation
 * @param code  the opcode byte
 * @param dst   destination register field
 * @param src   source register field (the pseudo kind for {@code lddw} and calls)
 * @param off   signed 16-bit offset field
 * @param imm   signed 32-bit immediate field of the first slot
 * @param imm64 for {@link InsnKind#LD_IMM64}: {@code (u32) imm | next.imm << 32}; otherwise {@code imm}
 *              sign-extended
 */
public record DecodedInsn(int index, InsnKind kind, int code, int dst, int src, short off, int imm, long imm64) {

    /** Builds the view of the instruction at {@code pc} without validating it; see {@link InsnDecoder}. */
    static DecodedInsn of(long[] prog, int pc, InsnKind kind) {
        long w = prog[pc];
        long imm64 = Insn.imm(w);
        if (kind == InsnKind.LD_IMM64 && pc + 1 < prog.length) {
            imm64 = (Insn.imm(w) & 0xffffffffL) | (long) Insn.imm(prog[pc + 1]) << 32;
        }
        return new DecodedInsn(pc, kind, Insn.code(w), Insn.dst(w), Insn.src(w), Insn.off(w), Insn.imm(w), imm64);
    }

    public int bpfClass() { return Opcodes.bpfClass(code); }

    /** Number of 8-byte slots: 2 for {@code lddw}, else 1. */
    public int slots() { return kind == InsnKind.LD_IMM64 ? 2 : 1; }

    /**
     * True when the operation works on 64 bits: ALU64, JMP (64-bit compare), {@code lddw}, and
     * DW loads, stores and atomics.
     */
    public boolean is64() {
        return switch (bpfClass()) {
            case BPF_ALU64, BPF_JMP -> true;
            case BPF_ALU, BPF_JMP32 -> false;
            default -> bpfSize(code) == BPF_DW;
        };
    }

    /** True when an ALU or conditional-jump operand comes from the src register ({@code BPF_X}). */
    public boolean srcIsReg() {
        return switch (kind.group()) {
            case ALU, JMP -> bpfSrc(code) == BPF_X && kind != InsnKind.LE && kind != InsnKind.BE;
            default -> false;
        };
    }

    /** Access size in bytes of a load, store or atomic; 8 for {@code lddw}. */
    public int sizeBytes() { return Opcodes.sizeBytes(bpfSize(code)); }

    /** Bits kept by a byte swap ({@code le/be/bswap}: imm) or sign extension ({@code movsx}: off; {@code ldxs}: size). */
    public int bits() {
        return switch (kind) {
            case LE, BE, BSWAP -> imm;
            case MOVSX -> off;
            default -> sizeBytes() * 8;
        };
    }

    /** Slot index a jump or BPF-to-BPF call goes to ({@code index + 1 + off}, or {@code + imm} for gotol and calls). */
    public int target() {
        return switch (kind) {
            case GOTOL, CALL_LOCAL -> index + 1 + imm;
            default -> index + 1 + off;
        };
    }

    /** The {@code -mcpu} level this instruction needs: its operation's, and at least v3 for the JMP32 class. */
    public CpuVersion cpu() {
        CpuVersion v = kind.cpu();
        if (bpfClass() == BPF_JMP32 && v.compareTo(CpuVersion.V3) < 0) return CpuVersion.V3;
        return v;
    }
}
