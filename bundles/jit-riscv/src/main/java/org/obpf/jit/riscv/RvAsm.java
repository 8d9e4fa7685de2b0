package org.obpf.jit.riscv;

/**
 * RISC-V instruction encoders as pure functions, the way the kernel's {@code arch/riscv/net/bpf_jit.h}
 * writes them: one function per format ({@link #rType}, {@link #iType}, {@link #sType}, {@link #bType},
 * {@link #uType}, {@link #jType}, {@link #amoType} and the compressed {@code c*} formats) and one per
 * instruction, named as in the ISA manual ({@code c_addi} for {@code c.addi}, {@code amoadd_w} for
 * {@code amoadd.w}). 32-bit encodings are returned as {@code int}, compressed ones as the low 16 bits
 * of an {@code int}. Callers check ranges ({@link #isInt}); an encoder given an immediate that does
 * not fit throws, so a wrong choice never becomes wrong code.
 */
public final class RvAsm {
    private RvAsm() {}

    // Major opcodes.
    static final int OP_LOAD = 0x03, OP_MISC_MEM = 0x0f, OP_IMM = 0x13, OP_AUIPC = 0x17, OP_IMM_32 = 0x1b,
            OP_STORE = 0x23, OP_AMO = 0x2f, OP_OP = 0x33, OP_LUI = 0x37, OP_OP_32 = 0x3b, OP_BRANCH = 0x63,
            OP_JALR = 0x67, OP_JAL = 0x6f;

    /** True if {@code v} fits a signed field of {@code bits} bits. */
    public static boolean isInt(long v, int bits) {
        return v >= -(1L << (bits - 1)) && v < (1L << (bits - 1));
    }

    /** True if {@code v} fits an unsigned field of {@code bits} bits. */
    static boolean isUint(long v, int bits) {
        return v >= 0 && v < (1L << bits);
    }

    private static int check(boolean ok, String what, long v) {
        if (!ok) throw new IllegalArgumentException(what + " " + v + " out of range");
        return 0;
    }

    // ---- 32-bit formats ----

    public static int rType(int funct7, Reg rs2, Reg rs1, int funct3, Reg rd, int opcode) {
        return funct7 << 25 | rs2.n() << 20 | rs1.n() << 15 | funct3 << 12 | rd.n() << 7 | opcode;
    }

    public static int iType(int imm, Reg rs1, int funct3, Reg rd, int opcode) {
        check(isInt(imm, 12), "I-type immediate", imm);
        return (imm & 0xfff) << 20 | rs1.n() << 15 | funct3 << 12 | rd.n() << 7 | opcode;
    }

    public static int sType(int imm, Reg rs2, Reg rs1, int funct3, int opcode) {
        check(isInt(imm, 12), "S-type immediate", imm);
        return (imm >> 5 & 0x7f) << 25 | rs2.n() << 20 | rs1.n() << 15 | funct3 << 12 | (imm & 0x1f) << 7 | opcode;
    }

    public static int bType(int imm, Reg rs2, Reg rs1, int funct3, int opcode) {
        check(isInt(imm, 13) && (imm & 1) == 0, "branch offset", imm);
        return (imm >> 12 & 1) << 31 | (imm >> 5 & 0x3f) << 25 | rs2.n() << 20 | rs1.n() << 15 | funct3 << 12
                | (imm >> 1 & 0xf) << 8 | (imm >> 11 & 1) << 7 | opcode;
    }

    /** {@code imm20} is the 20-bit value of bits 31..12 (lui's operand as objdump prints it). */
    public static int uType(int imm20, Reg rd, int opcode) {
        check(isUint(imm20, 20) || isInt(imm20, 20), "U-type immediate", imm20);
        return (imm20 & 0xfffff) << 12 | rd.n() << 7 | opcode;
    }

    public static int jType(int imm, Reg rd, int opcode) {
        check(isInt(imm, 21) && (imm & 1) == 0, "jump offset", imm);
        return (imm >> 20 & 1) << 31 | (imm >> 1 & 0x3ff) << 21 | (imm >> 11 & 1) << 20 | (imm >> 12 & 0xff) << 12
                | rd.n() << 7 | opcode;
    }

    /** The A extension's R-type with aq/rl bits. */
    public static int amoType(int funct5, boolean aq, boolean rl, Reg rs2, Reg rs1, int funct3, Reg rd) {
        return rType(funct5 << 2 | (aq ? 2 : 0) | (rl ? 1 : 0), rs2, rs1, funct3, rd, OP_AMO);
    }

    // ---- RV32I / RV64I ----

    public static int add(Reg rd, Reg rs1, Reg rs2) { return rType(0, rs2, rs1, 0, rd, OP_OP); }
    public static int sub(Reg rd, Reg rs1, Reg rs2) { return rType(0x20, rs2, rs1, 0, rd, OP_OP); }
    public static int sll(Reg rd, Reg rs1, Reg rs2) { return rType(0, rs2, rs1, 1, rd, OP_OP); }
    public static int slt(Reg rd, Reg rs1, Reg rs2) { return rType(0, rs2, rs1, 2, rd, OP_OP); }
    public static int sltu(Reg rd, Reg rs1, Reg rs2) { return rType(0, rs2, rs1, 3, rd, OP_OP); }
    public static int xor(Reg rd, Reg rs1, Reg rs2) { return rType(0, rs2, rs1, 4, rd, OP_OP); }
    public static int srl(Reg rd, Reg rs1, Reg rs2) { return rType(0, rs2, rs1, 5, rd, OP_OP); }
    public static int sra(Reg rd, Reg rs1, Reg rs2) { return rType(0x20, rs2, rs1, 5, rd, OP_OP); }
    public static int or(Reg rd, Reg rs1, Reg rs2) { return rType(0, rs2, rs1, 6, rd, OP_OP); }
    public static int and(Reg rd, Reg rs1, Reg rs2) { return rType(0, rs2, rs1, 7, rd, OP_OP); }

    public static int addi(Reg rd, Reg rs1, int imm) { return iType(imm, rs1, 0, rd, OP_IMM); }
    public static int slti(Reg rd, Reg rs1, int imm) { return iType(imm, rs1, 2, rd, OP_IMM); }
    public static int sltiu(Reg rd, Reg rs1, int imm) { return iType(imm, rs1, 3, rd, OP_IMM); }
    public static int xori(Reg rd, Reg rs1, int imm) { return iType(imm, rs1, 4, rd, OP_IMM); }
    public static int ori(Reg rd, Reg rs1, int imm) { return iType(imm, rs1, 6, rd, OP_IMM); }
    public static int andi(Reg rd, Reg rs1, int imm) { return iType(imm, rs1, 7, rd, OP_IMM); }

    /** Shift amounts: 0..63 (RV64; the back-end for RV32 only asks for 0..31). */
    public static int slli(Reg rd, Reg rs1, int shamt) { check(isUint(shamt, 6), "shift", shamt); return iType(shamt, rs1, 1, rd, OP_IMM); }
    public static int srli(Reg rd, Reg rs1, int shamt) { check(isUint(shamt, 6), "shift", shamt); return iType(shamt, rs1, 5, rd, OP_IMM); }
    public static int srai(Reg rd, Reg rs1, int shamt) { check(isUint(shamt, 6), "shift", shamt); return iType(0x400 | shamt, rs1, 5, rd, OP_IMM); }

    public static int lui(Reg rd, int imm20) { return uType(imm20, rd, OP_LUI); }
    public static int auipc(Reg rd, int imm20) { return uType(imm20, rd, OP_AUIPC); }
    public static int jal(Reg rd, int off) { return jType(off, rd, OP_JAL); }
    public static int jalr(Reg rd, Reg rs1, int imm) { return iType(imm, rs1, 0, rd, OP_JALR); }

    public static int beq(Reg rs1, Reg rs2, int off) { return bType(off, rs2, rs1, 0, OP_BRANCH); }
    public static int bne(Reg rs1, Reg rs2, int off) { return bType(off, rs2, rs1, 1, OP_BRANCH); }
    public static int blt(Reg rs1, Reg rs2, int off) { return bType(off, rs2, rs1, 4, OP_BRANCH); }
    public static int bge(Reg rs1, Reg rs2, int off) { return bType(off, rs2, rs1, 5, OP_BRANCH); }
    public static int bltu(Reg rs1, Reg rs2, int off) { return bType(off, rs2, rs1, 6, OP_BRANCH); }
    public static int bgeu(Reg rs1, Reg rs2, int off) { return bType(off, rs2, rs1, 7, OP_BRANCH); }

    /** Branch funct3 values, for code that picks the condition at run time. */
    public static final int BEQ = 0, BNE = 1, BLT = 4, BGE = 5, BLTU = 6, BGEU = 7;

    public static int branch(int funct3, Reg rs1, Reg rs2, int off) { return bType(off, rs2, rs1, funct3, OP_BRANCH); }

    /** The condition that is true exactly when {@code funct3}'s is false. */
    public static int invert(int funct3) { return funct3 ^ 1; }

    public static int lb(Reg rd, Reg rs1, int off) { return iType(off, rs1, 0, rd, OP_LOAD); }
    public static int lh(Reg rd, Reg rs1, int off) { return iType(off, rs1, 1, rd, OP_LOAD); }
    public static int lw(Reg rd, Reg rs1, int off) { return iType(off, rs1, 2, rd, OP_LOAD); }
    public static int ld(Reg rd, Reg rs1, int off) { return iType(off, rs1, 3, rd, OP_LOAD); }
    public static int lbu(Reg rd, Reg rs1, int off) { return iType(off, rs1, 4, rd, OP_LOAD); }
    public static int lhu(Reg rd, Reg rs1, int off) { return iType(off, rs1, 5, rd, OP_LOAD); }
    public static int lwu(Reg rd, Reg rs1, int off) { return iType(off, rs1, 6, rd, OP_LOAD); }

    public static int sb(Reg rs2, Reg rs1, int off) { return sType(off, rs2, rs1, 0, OP_STORE); }
    public static int sh(Reg rs2, Reg rs1, int off) { return sType(off, rs2, rs1, 1, OP_STORE); }
    public static int sw(Reg rs2, Reg rs1, int off) { return sType(off, rs2, rs1, 2, OP_STORE); }
    public static int sd(Reg rs2, Reg rs1, int off) { return sType(off, rs2, rs1, 3, OP_STORE); }

    /** {@code fence rw,rw}. */
    public static int fence_rw_rw() { return 0x0330000f; }
    public static int ebreak() { return 0x00100073; }

    // RV64I word operations.
    public static int addiw(Reg rd, Reg rs1, int imm) { return iType(imm, rs1, 0, rd, OP_IMM_32); }
    public static int slliw(Reg rd, Reg rs1, int shamt) { check(isUint(shamt, 5), "shift", shamt); return iType(shamt, rs1, 1, rd, OP_IMM_32); }
    public static int srliw(Reg rd, Reg rs1, int shamt) { check(isUint(shamt, 5), "shift", shamt); return iType(shamt, rs1, 5, rd, OP_IMM_32); }
    public static int sraiw(Reg rd, Reg rs1, int shamt) { check(isUint(shamt, 5), "shift", shamt); return iType(0x400 | shamt, rs1, 5, rd, OP_IMM_32); }
    public static int addw(Reg rd, Reg rs1, Reg rs2) { return rType(0, rs2, rs1, 0, rd, OP_OP_32); }
    public static int subw(Reg rd, Reg rs1, Reg rs2) { return rType(0x20, rs2, rs1, 0, rd, OP_OP_32); }
    public static int sllw(Reg rd, Reg rs1, Reg rs2) { return rType(0, rs2, rs1, 1, rd, OP_OP_32); }
    public static int srlw(Reg rd, Reg rs1, Reg rs2) { return rType(0, rs2, rs1, 5, rd, OP_OP_32); }
    public static int sraw(Reg rd, Reg rs1, Reg rs2) { return rType(0x20, rs2, rs1, 5, rd, OP_OP_32); }

    // ---- M ----

    public static int mul(Reg rd, Reg rs1, Reg rs2) { return rType(1, rs2, rs1, 0, rd, OP_OP); }
    public static int mulhu(Reg rd, Reg rs1, Reg rs2) { return rType(1, rs2, rs1, 3, rd, OP_OP); }
    public static int div(Reg rd, Reg rs1, Reg rs2) { return rType(1, rs2, rs1, 4, rd, OP_OP); }
    public static int divu(Reg rd, Reg rs1, Reg rs2) { return rType(1, rs2, rs1, 5, rd, OP_OP); }
    public static int rem(Reg rd, Reg rs1, Reg rs2) { return rType(1, rs2, rs1, 6, rd, OP_OP); }
    public static int remu(Reg rd, Reg rs1, Reg rs2) { return rType(1, rs2, rs1, 7, rd, OP_OP); }
    public static int mulw(Reg rd, Reg rs1, Reg rs2) { return rType(1, rs2, rs1, 0, rd, OP_OP_32); }
    public static int divw(Reg rd, Reg rs1, Reg rs2) { return rType(1, rs2, rs1, 4, rd, OP_OP_32); }
    public static int divuw(Reg rd, Reg rs1, Reg rs2) { return rType(1, rs2, rs1, 5, rd, OP_OP_32); }
    public static int remw(Reg rd, Reg rs1, Reg rs2) { return rType(1, rs2, rs1, 6, rd, OP_OP_32); }
    public static int remuw(Reg rd, Reg rs1, Reg rs2) { return rType(1, rs2, rs1, 7, rd, OP_OP_32); }

    // ---- A: funct5 values; width 2 = .w, 3 = .d ----

    static final int AMO_ADD = 0x00, AMO_SWAP = 0x01, AMO_LR = 0x02, AMO_SC = 0x03, AMO_XOR = 0x04, AMO_OR = 0x08,
            AMO_AND = 0x0c;

    /** An AMO by funct5 ({@link #AMO_ADD}...), {@code wide} for {@code .d}, with both ordering bits when {@code aqrl}. */
    public static int amo(int funct5, boolean wide, boolean aqrl, Reg rd, Reg rs2, Reg rs1) {
        return amoType(funct5, aqrl, aqrl, rs2, rs1, wide ? 3 : 2, rd);
    }

    public static int amoadd_w(Reg rd, Reg rs2, Reg rs1, boolean aqrl) { return amo(AMO_ADD, false, aqrl, rd, rs2, rs1); }
    public static int amoadd_d(Reg rd, Reg rs2, Reg rs1, boolean aqrl) { return amo(AMO_ADD, true, aqrl, rd, rs2, rs1); }
    public static int amoswap_d(Reg rd, Reg rs2, Reg rs1, boolean aqrl) { return amo(AMO_SWAP, true, aqrl, rd, rs2, rs1); }
    public static int lr(boolean wide, Reg rd, Reg rs1, boolean aqrl) { return amo(AMO_LR, wide, aqrl, rd, Reg.ZERO, rs1); }
    public static int sc(boolean wide, Reg rd, Reg rs2, Reg rs1, boolean aqrl) { return amo(AMO_SC, wide, aqrl, rd, rs2, rs1); }

    // ---- Zba / Zbb (optional, by compile option) ----

    public static int sh1add(Reg rd, Reg rs1, Reg rs2) { return rType(0x10, rs2, rs1, 2, rd, OP_OP); }
    public static int sh2add(Reg rd, Reg rs1, Reg rs2) { return rType(0x10, rs2, rs1, 4, rd, OP_OP); }
    public static int sh3add(Reg rd, Reg rs1, Reg rs2) { return rType(0x10, rs2, rs1, 6, rd, OP_OP); }
    /** RV64 only; {@code zext.w rd, rs} is {@code add.uw rd, rs, zero}. */
    public static int add_uw(Reg rd, Reg rs1, Reg rs2) { return rType(0x04, rs2, rs1, 0, rd, OP_OP_32); }
    public static int andn(Reg rd, Reg rs1, Reg rs2) { return rType(0x20, rs2, rs1, 7, rd, OP_OP); }
    public static int orn(Reg rd, Reg rs1, Reg rs2) { return rType(0x20, rs2, rs1, 6, rd, OP_OP); }
    public static int xnor(Reg rd, Reg rs1, Reg rs2) { return rType(0x20, rs2, rs1, 4, rd, OP_OP); }
    public static int sext_b(Reg rd, Reg rs1) { return iType(0x604, rs1, 1, rd, OP_IMM); }
    public static int sext_h(Reg rd, Reg rs1) { return iType(0x605, rs1, 1, rd, OP_IMM); }
    /** {@code zext.h}: OP-32 on RV64, OP on RV32. */
    public static int zext_h(boolean rv64, Reg rd, Reg rs1) { return rType(0x04, Reg.ZERO, rs1, 4, rd, rv64 ? OP_OP_32 : OP_OP); }
    /** {@code rev8}: its immediate field differs between RV64 (0x6b8) and RV32 (0x698). */
    public static int rev8(boolean rv64, Reg rd, Reg rs1) { return iType(rv64 ? 0x6b8 : 0x698, rs1, 5, rd, OP_IMM); }

    // ---- C: compressed formats (16 bits) ----

    /** CR: funct4 rd/rs1 rs2 op. */
    public static int crType(int funct4, Reg rdRs1, Reg rs2, int op) {
        return funct4 << 12 | rdRs1.n() << 7 | rs2.n() << 2 | op;
    }

    /** CI: funct3 imm[5] rd/rs1 imm[4:0] op, {@code imm6} the six bits already arranged. */
    public static int ciType(int funct3, int imm6, Reg rdRs1, int op) {
        return funct3 << 13 | (imm6 >> 5 & 1) << 12 | rdRs1.n() << 7 | (imm6 & 0x1f) << 2 | op;
    }

    /** CSS: funct3 imm6 rs2 op. */
    public static int cssType(int funct3, int imm6, Reg rs2, int op) {
        return funct3 << 13 | (imm6 & 0x3f) << 7 | rs2.n() << 2 | op;
    }

    /** CIW: funct3 imm8 rd' op. */
    public static int ciwType(int funct3, int imm8, Reg rd, int op) {
        return funct3 << 13 | (imm8 & 0xff) << 5 | rd.c3() << 2 | op;
    }

    /** CL/CS: funct3 imm3 rs1' imm2 rd'/rs2' op. */
    public static int clType(int funct3, int imm3, Reg rs1, int imm2, Reg rdRs2, int op) {
        return funct3 << 13 | (imm3 & 7) << 10 | rs1.c3() << 7 | (imm2 & 3) << 5 | rdRs2.c3() << 2 | op;
    }

    /** CA: funct6 rd'/rs1' funct2 rs2' op. */
    public static int caType(int funct6, Reg rdRs1, int funct2, Reg rs2, int op) {
        return funct6 << 10 | rdRs1.c3() << 7 | funct2 << 5 | rs2.c3() << 2 | op;
    }

    /** CB: funct3 offset[8|4:3] rs1' offset[7:6|2:1|5] op (branches). */
    public static int cbType(int funct3, int off, Reg rs1, int op) {
        check(isInt(off, 9) && (off & 1) == 0, "compressed branch offset", off);
        return funct3 << 13 | (off >> 8 & 1) << 12 | (off >> 3 & 3) << 10 | rs1.c3() << 7 | (off >> 6 & 3) << 5
                | (off >> 1 & 3) << 3 | (off >> 5 & 1) << 2 | op;
    }

    /** CJ: funct3 offset[11|4|9:8|10|6|7|3:1|5] op. */
    public static int cjType(int funct3, int off, int op) {
        check(isInt(off, 12) && (off & 1) == 0, "compressed jump offset", off);
        return funct3 << 13 | (off >> 11 & 1) << 12 | (off >> 4 & 1) << 11 | (off >> 8 & 3) << 9 | (off >> 10 & 1) << 8
                | (off >> 6 & 1) << 7 | (off >> 7 & 1) << 6 | (off >> 1 & 7) << 3 | (off >> 5 & 1) << 2 | op;
    }

    private static Reg c(Reg r) {
        if (!r.compressible()) throw new IllegalArgumentException(r.abiName() + " is not one of x8..x15");
        return r;
    }

    private static Reg nz(Reg r) {
        if (r == Reg.ZERO) throw new IllegalArgumentException("zero is not allowed here");
        return r;
    }

    // ---- C: instructions ----

    public static int c_addi(Reg rd, int imm) { check(isInt(imm, 6) && imm != 0, "c.addi immediate", imm); return ciType(0, imm, nz(rd), 1); }
    public static int c_nop() { return 0x0001; }
    public static int c_addiw(Reg rd, int imm) { check(isInt(imm, 6), "c.addiw immediate", imm); return ciType(1, imm, nz(rd), 1); }
    public static int c_li(Reg rd, int imm) { check(isInt(imm, 6), "c.li immediate", imm); return ciType(2, imm, nz(rd), 1); }

    /** {@code c.lui rd, imm20}: {@code imm20} the 20-bit lui operand, which must be a sign-extended six-bit value. */
    public static int c_lui(Reg rd, int imm20) {
        int v = imm20 << 12 >> 12;
        check(isInt(v, 6) && v != 0 && rd != Reg.SP, "c.lui immediate", imm20);
        return ciType(3, v, nz(rd), 1);
    }

    public static int c_addi16sp(int imm) {
        check(isInt(imm, 10) && imm != 0 && (imm & 15) == 0, "c.addi16sp immediate", imm);
        int bits = (imm >> 9 & 1) << 5 | (imm >> 4 & 1) << 4 | (imm >> 6 & 1) << 3 | (imm >> 7 & 3) << 1 | (imm >> 5 & 1);
        return ciType(3, bits, Reg.SP, 1);
    }

    public static int c_addi4spn(Reg rd, int imm) {
        check(isUint(imm, 10) && imm != 0 && (imm & 3) == 0, "c.addi4spn immediate", imm);
        int bits = (imm >> 4 & 3) << 6 | (imm >> 6 & 15) << 2 | (imm >> 2 & 1) << 1 | (imm >> 3 & 1);
        return ciwType(0, bits, c(rd), 0);
    }

    public static int c_slli(Reg rd, int shamt) { check(isUint(shamt, 6) && shamt != 0, "c.slli shift", shamt); return ciType(0, shamt, nz(rd), 2); }
    public static int c_srli(Reg rd, int shamt) { check(isUint(shamt, 6) && shamt != 0, "c.srli shift", shamt); return 4 << 13 | (shamt >> 5) << 12 | c(rd).c3() << 7 | (shamt & 0x1f) << 2 | 1; }
    public static int c_srai(Reg rd, int shamt) { check(isUint(shamt, 6) && shamt != 0, "c.srai shift", shamt); return 4 << 13 | (shamt >> 5) << 12 | 1 << 10 | c(rd).c3() << 7 | (shamt & 0x1f) << 2 | 1; }
    public static int c_andi(Reg rd, int imm) { check(isInt(imm, 6), "c.andi immediate", imm); return 4 << 13 | (imm >> 5 & 1) << 12 | 2 << 10 | c(rd).c3() << 7 | (imm & 0x1f) << 2 | 1; }

    public static int c_sub(Reg rd, Reg rs2) { return caType(0x23, c(rd), 0, c(rs2), 1); }
    public static int c_xor(Reg rd, Reg rs2) { return caType(0x23, c(rd), 1, c(rs2), 1); }
    public static int c_or(Reg rd, Reg rs2) { return caType(0x23, c(rd), 2, c(rs2), 1); }
    public static int c_and(Reg rd, Reg rs2) { return caType(0x23, c(rd), 3, c(rs2), 1); }
    public static int c_subw(Reg rd, Reg rs2) { return caType(0x27, c(rd), 0, c(rs2), 1); }
    public static int c_addw(Reg rd, Reg rs2) { return caType(0x27, c(rd), 1, c(rs2), 1); }

    public static int c_j(int off) { return cjType(5, off, 1); }
    /** RV32 only (its encoding is c.addiw on RV64). */
    public static int c_jal(int off) { return cjType(1, off, 1); }
    public static int c_beqz(Reg rs1, int off) { return cbType(6, off, c(rs1), 1); }
    public static int c_bnez(Reg rs1, int off) { return cbType(7, off, c(rs1), 1); }

    public static int c_mv(Reg rd, Reg rs2) { return crType(8, nz(rd), nz(rs2), 2); }
    public static int c_add(Reg rd, Reg rs2) { return crType(9, nz(rd), nz(rs2), 2); }
    public static int c_jr(Reg rs1) { return crType(8, nz(rs1), Reg.ZERO, 2); }
    public static int c_jalr(Reg rs1) { return crType(9, nz(rs1), Reg.ZERO, 2); }
    public static int c_ebreak() { return 0x9002; }

    public static int c_lw(Reg rd, Reg rs1, int off) {
        check(isUint(off, 7) && (off & 3) == 0, "c.lw offset", off);
        return clType(2, off >> 3, c(rs1), (off >> 2 & 1) << 1 | (off >> 6 & 1), c(rd), 0);
    }

    public static int c_sw(Reg rs2, Reg rs1, int off) {
        check(isUint(off, 7) && (off & 3) == 0, "c.sw offset", off);
        return clType(6, off >> 3, c(rs1), (off >> 2 & 1) << 1 | (off >> 6 & 1), c(rs2), 0);
    }

    /** RV64 only. */
    public static int c_ld(Reg rd, Reg rs1, int off) {
        check(isUint(off, 8) && (off & 7) == 0, "c.ld offset", off);
        return clType(3, off >> 3, c(rs1), off >> 6, c(rd), 0);
    }

    /** RV64 only. */
    public static int c_sd(Reg rs2, Reg rs1, int off) {
        check(isUint(off, 8) && (off & 7) == 0, "c.sd offset", off);
        return clType(7, off >> 3, c(rs1), off >> 6, c(rs2), 0);
    }

    public static int c_lwsp(Reg rd, int off) {
        check(isUint(off, 8) && (off & 3) == 0, "c.lwsp offset", off);
        return ciType(2, (off >> 5 & 1) << 5 | (off >> 2 & 7) << 2 | (off >> 6 & 3), nz(rd), 2);
    }

    /** RV64 only. */
    public static int c_ldsp(Reg rd, int off) {
        check(isUint(off, 9) && (off & 7) == 0, "c.ldsp offset", off);
        return ciType(3, (off >> 5 & 1) << 5 | (off >> 3 & 3) << 3 | (off >> 6 & 7), nz(rd), 2);
    }

    public static int c_swsp(Reg rs2, int off) {
        check(isUint(off, 8) && (off & 3) == 0, "c.swsp offset", off);
        return cssType(6, (off >> 2 & 15) << 2 | (off >> 6 & 3), rs2, 2);
    }

    /** RV64 only. */
    public static int c_sdsp(Reg rs2, int off) {
        check(isUint(off, 9) && (off & 7) == 0, "c.sdsp offset", off);
        return cssType(7, (off >> 3 & 7) << 3 | (off >> 6 & 7), rs2, 2);
    }

    // ---- fix-up helpers: rewrite the offset of an emitted branch or jump ----

    /** The B-type word {@code insn} with its offset replaced. */
    static int withBranchOffset(int insn, int off) {
        return bType(off, Reg.x(insn >>> 20 & 31), Reg.x(insn >>> 15 & 31), insn >>> 12 & 7, insn & 0x7f);
    }

    /** The J-type word {@code insn} with its offset replaced. */
    static int withJumpOffset(int insn, int off) {
        return jType(off, Reg.x(insn >>> 7 & 31), insn & 0x7f);
    }
}
