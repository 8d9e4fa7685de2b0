package org.obpf.offload.rfpc.sim;

/**
 * Operations of the predecoded form. One RV32IMC instruction (compressed ones expanded) becomes
 * one 64-bit slot: {@code op | rd << 8 | rs1 << 14 | rs2 << 20 | halfwords << 26 | imm << 32}.
 * {@code auipc} becomes {@link #LI} of its value, jumps and branches carry their target slot.
 */
public final class Op {
    private Op() {}

    public static final int NOT_LOADED = 0, ILLEGAL = 1, LI = 2, JAL = 3, JALR = 4,
            BEQ = 5, BNE = 6, BLT = 7, BGE = 8, BLTU = 9, BGEU = 10,
            LB = 11, LH = 12, LW = 13, LBU = 14, LHU = 15, SB = 16, SH = 17, SW = 18,
            ADDI = 19, SLTI = 20, SLTIU = 21, XORI = 22, ORI = 23, ANDI = 24, SLLI = 25, SRLI = 26, SRAI = 27,
            ADD = 28, SUB = 29, SLL = 30, SLT = 31, SLTU = 32, XOR = 33, SRL = 34, SRA = 35, OR = 36, AND = 37,
            MUL = 38, MULH = 39, MULHSU = 40, MULHU = 41, DIV = 42, DIVU = 43, REM = 44, REMU = 45,
            FENCE = 46, ECALL = 47, EBREAK = 48;

    /** Register number that absorbs writes to {@code x0}. */
    public static final int SINK = 32;

    static long slot(int op, int rd, int rs1, int rs2, int halfwords, int imm) {
        return op | (long) (rd == 0 ? SINK : rd) << 8 | (long) rs1 << 14 | (long) rs2 << 20 | (long) halfwords << 26
                | (long) imm << 32;
    }

    public static int op(long s) { return (int) s & 0xff; }
    public static int rd(long s) { return (int) (s >>> 8) & 0x3f; }
    public static int rs1(long s) { return (int) (s >>> 14) & 0x3f; }
    public static int rs2(long s) { return (int) (s >>> 20) & 0x3f; }
    public static int halfwords(long s) { return (int) (s >>> 26) & 3; }
    public static int imm(long s) { return (int) (s >>> 32); }
}
