package org.obpf.jit.nfp;

/**
 * Encoder for the NFP-6xxx microengine instruction forms the BPF translator emits: one pure
 * function per form, over typed {@link NfpReg} operands, giving the 64-bit instruction word
 * (the encoding in the low 42..45 bits). Field masks, opcode bases and operand encodings are the
 * kernel's ({@code drivers/net/ethernet/netronome/nfp/nfp_asm.h}, {@code nfp_asm.c}); the
 * operand-to-field mapping (which operand lands in the A or B field, the swap bit, restricted
 * 8-bit versus unrestricted 10-bit operands) follows {@code swreg_to_unrestricted} and
 * {@code swreg_to_restricted}.
 *
 * <p>Bad operands (two from the same bank, an immediate destination, an out-of-range value)
 * throw {@link IllegalArgumentException} naming the problem: the kernel's {@code -EFAULT}.
 */
public final class NfpAsm {
    private NfpAsm() {}

    // ---- operand encodings (nfp_asm.h) ----
    public static final int REG_NONE = 0;
    public static final int RE_REG_NO_DST = 0x020;
    public static final int RE_REG_IMM = 0x020;
    public static final int RE_REG_IMM_MAX = 0x07f;
    public static final int RE_REG_LM = 0x050;
    public static final int RE_REG_LM_IDX = 0x008;
    public static final int RE_REG_LM_IDX_MAX = 0x7;
    public static final int RE_REG_XFR = 0x080;
    public static final int UR_REG_XFR = 0x180;
    public static final int UR_REG_LM = 0x200;
    public static final int UR_REG_LM_IDX = 0x020;
    public static final int UR_REG_LM_POST_MOD = 0x010;
    public static final int UR_REG_LM_POST_MOD_DEC = 0x001;
    public static final int UR_REG_LM_IDX_MAX = 0xf;
    public static final int UR_REG_NN = 0x280;
    public static final int UR_REG_NO_DST = 0x300;
    public static final int UR_REG_IMM = UR_REG_NO_DST;
    public static final int UR_REG_IMM_MAX = 0x0ff;

    // ---- branch ----
    public static final long OP_BR_BASE = 0x0d800000020L;
    public static final long OP_BR_BASE_MASK = 0x0f8000c3ce0L;
    public static final long OP_BR_MASK = 0x0000000001fL;
    public static final long OP_BR_EV_PIP = 0x00000000300L;
    public static final long OP_BR_CSS = 0x0000003c000L;
    public static final long OP_BR_DEFBR = 0x00000300000L;
    public static final long OP_BR_ADDR_LO = 0x007ffc00000L;
    public static final long OP_BR_ADDR_HI = 0x10000000000L;

    public static final long OP_BR_BIT_BASE = 0x0d000000000L;
    public static final long OP_BR_BIT_BASE_MASK = 0x0f800080300L;
    public static final long OP_BR_BIT_A_SRC = 0x000000000ffL;
    public static final long OP_BR_BIT_B_SRC = 0x0000003fc00L;
    public static final long OP_BR_BIT_BV = 0x00000040000L;
    public static final long OP_BR_BIT_SRC_LMEXTN = 0x40000000000L;

    public static final long OP_BR_ALU_BASE = 0x0e800000000L;
    public static final long OP_BR_ALU_BASE_MASK = 0x0ff80000000L;
    public static final long OP_BR_ALU_A_SRC = 0x000000003ffL;
    public static final long OP_BR_ALU_B_SRC = 0x000000ffc00L;
    public static final long OP_BR_ALU_DEFBR = 0x00000300000L;
    public static final long OP_BR_ALU_IMM_HI = 0x0007fc00000L;
    public static final long OP_BR_ALU_SRC_LMEXTN = 0x40000000000L;
    public static final long OP_BR_ALU_DST_LMEXTN = 0x80000000000L;

    public static final long OP_BBYTE_BASE = 0x0c800000000L;
    public static final long OP_BB_A_SRC = 0x000000000ffL;
    public static final long OP_BB_BYTE = 0x00000000300L;
    public static final long OP_BB_B_SRC = 0x0000003fc00L;
    public static final long OP_BB_I8 = 0x00000040000L;
    public static final long OP_BB_EQ = 0x00000080000L;
    public static final long OP_BB_DEFBR = 0x00000300000L;
    public static final long OP_BB_ADDR_LO = 0x007ffc00000L;
    public static final long OP_BB_ADDR_HI = 0x10000000000L;
    public static final long OP_BB_SRC_LMEXTN = 0x40000000000L;

    // ---- immed ----
    public static final long OP_IMMED_A_SRC = 0x000000003ffL;
    public static final long OP_IMMED_B_SRC = 0x000000ffc00L;
    public static final long OP_IMMED_IMM = 0x0000ff00000L;
    public static final long OP_IMMED_WIDTH = 0x00060000000L;
    public static final long OP_IMMED_INV = 0x00080000000L;
    public static final long OP_IMMED_SHIFT = 0x00600000000L;
    public static final long OP_IMMED_BASE = 0x0f000000000L;
    public static final long OP_IMMED_WR_AB = 0x20000000000L;
    public static final long OP_IMMED_SRC_LMEXTN = 0x40000000000L;
    public static final long OP_IMMED_DST_LMEXTN = 0x80000000000L;

    // ---- shf ----
    public static final long OP_SHF_BASE = 0x08000000000L;
    public static final long OP_SHF_A_SRC = 0x000000000ffL;
    public static final long OP_SHF_SC = 0x00000000300L;
    public static final long OP_SHF_B_SRC = 0x0000003fc00L;
    public static final long OP_SHF_I8 = 0x00000040000L;
    public static final long OP_SHF_SW = 0x00000080000L;
    public static final long OP_SHF_DST = 0x0000ff00000L;
    public static final long OP_SHF_SHIFT = 0x001f0000000L;
    public static final long OP_SHF_OP = 0x00e00000000L;
    public static final long OP_SHF_DST_AB = 0x01000000000L;
    public static final long OP_SHF_WR_AB = 0x20000000000L;
    public static final long OP_SHF_SRC_LMEXTN = 0x40000000000L;
    public static final long OP_SHF_DST_LMEXTN = 0x80000000000L;

    // ---- alu ----
    public static final long OP_ALU_A_SRC = 0x000000003ffL;
    public static final long OP_ALU_B_SRC = 0x000000ffc00L;
    public static final long OP_ALU_DST = 0x0003ff00000L;
    public static final long OP_ALU_SW = 0x00040000000L;
    public static final long OP_ALU_OP = 0x00f80000000L;
    public static final long OP_ALU_DST_AB = 0x01000000000L;
    public static final long OP_ALU_BASE = 0x0a000000000L;
    public static final long OP_ALU_WR_AB = 0x20000000000L;
    public static final long OP_ALU_SRC_LMEXTN = 0x40000000000L;
    public static final long OP_ALU_DST_LMEXTN = 0x80000000000L;

    // ---- ld_field ----
    public static final long OP_LDF_BASE = 0x0c000000000L;
    public static final long OP_LDF_A_SRC = 0x000000000ffL;
    public static final long OP_LDF_SC = 0x00000000300L;
    public static final long OP_LDF_B_SRC = 0x0000003fc00L;
    public static final long OP_LDF_I8 = 0x00000040000L;
    public static final long OP_LDF_SW = 0x00000080000L;
    public static final long OP_LDF_ZF = 0x00000100000L;
    public static final long OP_LDF_BMASK = 0x0000f000000L;
    public static final long OP_LDF_SHF = 0x001f0000000L;
    public static final long OP_LDF_WR_AB = 0x20000000000L;
    public static final long OP_LDF_SRC_LMEXTN = 0x40000000000L;
    public static final long OP_LDF_DST_LMEXTN = 0x80000000000L;

    // ---- memory command ----
    public static final long OP_CMD_A_SRC = 0x000000000ffL;
    public static final long OP_CMD_CTX = 0x00000000300L;
    public static final long OP_CMD_B_SRC = 0x0000003fc00L;
    public static final long OP_CMD_TOKEN = 0x000000c0000L;
    public static final long OP_CMD_XFER = 0x00001f00000L;
    public static final long OP_CMD_CNT = 0x0000e000000L;
    public static final long OP_CMD_SIG = 0x000f0000000L;
    public static final long OP_CMD_TGT_CMD = 0x07f00000000L;
    public static final long OP_CMD_INDIR = 0x20000000000L;
    public static final long OP_CMD_MODE = 0x1c0000000000L;

    /** Previous-ALU override bits for indirect commands. */
    public static final int CMD_OVE_DATA = 0x38;
    public static final int CMD_OVE_LEN = 0x80;
    public static final int CMD_OV_LEN = 0x1f00;

    // ---- local CSR ----
    public static final long OP_LCSR_BASE = 0x0fc00000000L;
    public static final long OP_LCSR_A_SRC = 0x000000003ffL;
    public static final long OP_LCSR_B_SRC = 0x000000ffc00L;
    public static final long OP_LCSR_WRITE = 0x00000200000L;
    public static final long OP_LCSR_ADDR = 0x001ffc00000L;
    public static final long OP_LCSR_SRC_LMEXTN = 0x40000000000L;
    public static final long OP_LCSR_DST_LMEXTN = 0x80000000000L;

    public static final int NFP_CSR_CTX_PTR = 0x20;
    public static final int NFP_CSR_ACT_LM_ADDR0 = 0x64;
    public static final int NFP_CSR_ACT_LM_ADDR1 = 0x6c;
    public static final int NFP_CSR_ACT_LM_ADDR2 = 0x94;
    public static final int NFP_CSR_ACT_LM_ADDR3 = 0x9c;
    public static final int NFP_CSR_PSEUDO_RND_NUM = 0x148;

    // ---- mul ----
    public static final long OP_MUL_BASE = 0x0f800000000L;
    public static final long OP_MUL_A_SRC = 0x000000003ffL;
    public static final long OP_MUL_B_SRC = 0x000000ffc00L;
    public static final long OP_MUL_STEP = 0x00000700000L;
    public static final long OP_MUL_DST_AB = 0x00000800000L;
    public static final long OP_MUL_SW = 0x00040000000L;
    public static final long OP_MUL_TYPE = 0x00180000000L;
    public static final long OP_MUL_WR_AB = 0x20000000000L;
    public static final long OP_MUL_SRC_LMEXTN = 0x40000000000L;
    public static final long OP_MUL_DST_LMEXTN = 0x80000000000L;

    /** Bits of an instruction proper; above them the ECC (nfp_asm.c {@code NFP_USTORE_OP_BITS}). */
    public static final int NFP_USTORE_OP_BITS = 45;
    /** Instructions the microengine prefetches past a branch: the image ends with this many nops. */
    public static final int NFP_USTORE_PREFETCH_WINDOW = 8;
    /** The kernel's scratch byte for relocation types (main.h {@code OP_RELO_TYPE}); cleared by link. */
    public static final long OP_RELO_TYPE = 0xff00000000000000L;
    /** Offset added to absolute relocated branches so they stand out in dumps (main.h). */
    public static final int BR_OFF_RELO = 15000;

    // ---- enumerations ----

    /** {@code enum alu_op}; {@code mnemonic} is the operator as the disassembler prints it. */
    public enum AluOp {
        NONE(0x00, "B"), ADD(0x01, "+"), NOT(0x04, "~B"), ADD_2B(0x05, "+16"), AND(0x08, "AND"),
        AND_NOT_A(0x0c, "~AND"), SUB_C(0x0d, "-carry"), AND_NOT_B(0x10, "AND~"), ADD_C(0x11, "+carry"),
        OR(0x14, "OR"), SUB(0x15, "-"), XOR(0x18, "XOR");

        public final int code;
        public final String mnemonic;

        AluOp(int code, String mnemonic) {
            this.code = code;
            this.mnemonic = mnemonic;
        }

        /** True when the A operand takes no part (the disassembler prints {@code --}). */
        public boolean ignoresA() {
            return this == NONE || this == NOT;
        }

        public static AluOp of(int code) {
            for (AluOp o : values()) if (o.code == code) return o;
            return null;
        }
    }

    /** {@code enum shf_op}. */
    public enum ShfOp {
        NONE(0, "B"), AND(2, "AND"), OR(5, "OR"), ASHR(6, "ASHR");

        public final int code;
        public final String mnemonic;

        ShfOp(int code, String mnemonic) {
            this.code = code;
            this.mnemonic = mnemonic;
        }

        public static ShfOp of(int code) {
            for (ShfOp o : values()) if (o.code == code) return o;
            return null;
        }
    }

    /** {@code enum shf_sc}: shift class. {@code R_ROT} is also "no shift" with amount 0. */
    public enum ShfSc {
        R_ROT(0), R_SHF(1), L_SHF(2), R_DSHF(3);

        public final int code;

        ShfSc(int code) {
            this.code = code;
        }

        public static ShfSc of(int code) {
            return values()[code & 3];
        }
    }

    /** {@code enum br_mask}: branch conditions on the previous ALU result's flags. */
    public enum BrMask {
        BEQ(0x00, "beq"), BNE(0x01, "bne"), BMI(0x02, "bmi"), BHS(0x04, "bhs"), BLO(0x05, "blo"),
        BGE(0x08, "bge"), BLT(0x09, "blt"), UNC(0x18, "br");

        /** {@code BR_BCC} is {@code BR_BLO}: carry clear after a subtraction means borrow. */
        public static final BrMask BCC = BLO;

        public final int code;
        public final String mnemonic;

        BrMask(int code, String mnemonic) {
            this.code = code;
            this.mnemonic = mnemonic;
        }

        public static BrMask of(int code) {
            for (BrMask m : values()) if (m.code == code) return m;
            return null;
        }
    }

    public static final int BR_EV_PIP_UNCOND = 0;
    public static final int BR_EV_PIP_COND = 1;
    public static final int BR_CSS_NONE = 2;

    /** {@code enum immed_width}. */
    public enum ImmedWidth { ALL, BYTE, WORD }

    /** {@code enum immed_shift}: the 16-bit value is placed 0, 1 or 2 bytes up. */
    public enum ImmedShift { B0, B1, B2 }

    /** {@code enum cmd_tgt_map} with {@code cmd_tgt_act}: token and target command of each memory command. */
    public enum CmdTgt {
        READ8(0x01, 0x43, "read8"),
        WRITE8_SWAP(0x02, 0x42, "write8_swap"),
        WRITE32_SWAP(0x02, 0x5f, "write32_swap"),
        READ32(0x00, 0x5c, "read32"),
        READ32_LE(0x01, 0x5c, "read32_le"),
        READ32_SWAP(0x02, 0x5c, "read32_swap"),
        READ_LE(0x01, 0x40, "read_le"),
        READ_SWAP_LE(0x03, 0x40, "read_swap_le"),
        ADD(0x00, 0x47, "atomic_add"),
        ADD_IMM(0x02, 0x47, "atomic_add_imm");

        public final int token;
        public final int tgtCmd;
        public final String mnemonic;

        CmdTgt(int token, int tgtCmd, String mnemonic) {
            this.token = token;
            this.tgtCmd = tgtCmd;
            this.mnemonic = mnemonic;
        }

        public static CmdTgt of(int token, int tgtCmd) {
            for (CmdTgt c : values()) if (c.token == token && c.tgtCmd == tgtCmd) return c;
            return null;
        }
    }

    /** {@code enum cmd_mode}: address formation. */
    public enum CmdMode {
        A40_AB(0, "40b_ab"), A40_BA(1, "40b_ba"), A32(4, "32b");

        public final int code;
        public final String mnemonic;

        CmdMode(int code, String mnemonic) {
            this.code = code;
            this.mnemonic = mnemonic;
        }

        public static CmdMode of(int code) {
            for (CmdMode m : values()) if (m.code == code) return m;
            return null;
        }
    }

    /** {@code enum cmd_ctx_swap}. */
    public enum CmdCtx { SWAP, SWAP_DEFER1, SWAP_DEFER2, NO_SWAP }

    /** {@code enum mul_type}. */
    public enum MulType { START, STEP_24x8, STEP_16x16, STEP_32x32 }

    /** {@code enum mul_step}. */
    public enum MulStep {
        STEP_1(0), STEP_2(1), STEP_3(2), STEP_4(3), LAST(4), LAST_2(5);

        public static final MulStep NONE = STEP_1;
        public final int code;

        MulStep(int code) {
            this.code = code;
        }

        public static MulStep of(int code) {
            for (MulStep s : values()) if (s.code == code) return s;
            return null;
        }
    }

    /** {@code enum nfp_relo_type} (main.h), kept in {@link #OP_RELO_TYPE} until link. */
    public enum Relo {
        NONE, BR_REL, BR_GO_OUT, BR_GO_ABORT, BR_GO_CALL_PUSH_REGS, BR_GO_CALL_POP_REGS, BR_NEXT_PKT, BR_HELPER,
        IMMED_REL,
        /**
         * OBPF's own: a 16-bit immediate that receives a symbol's value (a map's device table
         * id). The kernel writes map ids into the BPF code before translation
         * ({@code nfp_bpf_replace_map_ptrs}); OBPF compiles before the device numbers the maps.
         */
        IMMED_ABS;

        public String relocationName() {
            return "RELO_" + name();
        }

        public static Relo of(int code) {
            return code >= 0 && code < values().length ? values()[code] : null;
        }
    }

    // ---- fields ----

    /** {@code FIELD_PREP}: {@code value} placed in {@code mask}; it must fit. */
    public static long prep(long mask, long value) {
        int shift = Long.numberOfTrailingZeros(mask);
        long max = mask >>> shift;
        if (value < 0 || value > max) {
            throw new IllegalArgumentException("value 0x" + Long.toHexString(value) + " does not fit field 0x" + Long.toHexString(mask));
        }
        return value << shift;
    }

    private static long prep(long mask, boolean bit) {
        return bit ? prep(mask, 1) : 0;
    }

    /** {@code FIELD_GET}. */
    public static long get(long mask, long word) {
        return (word & mask) >>> Long.numberOfTrailingZeros(mask);
    }

    // ---- operands (nfp_asm.c) ----

    /** The decoded destination and sources of an unrestricted-operand instruction ({@code struct nfp_insn_ur_regs}). */
    public record UrRegs(int dstAb, int dst, int areg, int breg, boolean swap, boolean wrBoth, boolean dstLmextn, boolean srcLmextn) {}

    /** The same for restricted operands ({@code struct nfp_insn_re_regs}); {@code i8} extends an immediate to 8 bits. */
    public record ReRegs(int dstAb, int dst, int areg, int breg, boolean swap, boolean wrBoth, boolean i8, boolean dstLmextn, boolean srcLmextn) {}

    /** {@code nfp_swreg_to_unreg}. */
    public static int unrestricted(NfpReg reg, boolean isDst) {
        int val = reg.value();
        return switch (reg.type()) {
            case GPR_A, GPR_B, GPR_BOTH -> val;
            case NNR -> UR_REG_NN | val;
            case XFER -> UR_REG_XFR | val;
            case LMEM -> switch (reg.lmMode()) {
                case NONE -> {
                    if (val > UR_REG_LM_IDX_MAX) throw new IllegalArgumentException("LM offset too large: " + val);
                    yield UR_REG_LM | (reg.lmIdxBit() ? UR_REG_LM_IDX : 0) | val;
                }
                case INC, DEC -> UR_REG_LM | UR_REG_LM_POST_MOD | (reg.lmIdxBit() ? UR_REG_LM_IDX : 0)
                        | (reg.lmMode() == NfpReg.LmMode.DEC ? UR_REG_LM_POST_MOD_DEC : 0);
            };
            case IMM -> {
                if (val > UR_REG_IMM_MAX) throw new IllegalArgumentException("immediate too large: 0x" + Integer.toHexString(val));
                yield UR_REG_IMM | val;
            }
            case NONE -> isDst ? UR_REG_NO_DST : REG_NONE;
        };
    }

    /** {@code swreg_to_unrestricted}. */
    public static UrRegs toUnrestricted(NfpReg dst, NfpReg lreg, NfpReg rreg) {
        if (dst.type() == NfpReg.Type.IMM) throw new IllegalArgumentException("immediate destination " + dst);
        checkBanks(lreg, rreg);
        int dstAb = dst.type() == NfpReg.Type.GPR_B ? 1 : 0;
        boolean wrBoth = dst.type() == NfpReg.Type.GPR_BOTH;
        int d = unrestricted(dst, true);
        boolean swap = lreg.type() == NfpReg.Type.GPR_B || rreg.type() == NfpReg.Type.GPR_A;
        int a = unrestricted(swap ? rreg : lreg, false);
        int b = unrestricted(swap ? lreg : rreg, false);
        return new UrRegs(dstAb, d, a, b, swap, wrBoth, dst.lmExtn(), lreg.lmExtn() || rreg.lmExtn());
    }

    /** {@code nfp_swreg_to_rereg}; {@code i8} receives bit 7 of an 8-bit immediate. */
    public static int restricted(NfpReg reg, boolean isDst, boolean hasImm8, boolean[] i8) {
        int val = reg.value();
        return switch (reg.type()) {
            case GPR_A, GPR_B, GPR_BOTH -> val;
            case XFER -> RE_REG_XFR | val;
            case LMEM -> {
                if (reg.lmMode() != NfpReg.LmMode.NONE) throw new IllegalArgumentException("bad LM mode for restricted operands: " + reg);
                if (val > RE_REG_LM_IDX_MAX) throw new IllegalArgumentException("LM offset too large: " + val);
                yield RE_REG_LM | (reg.lmIdxBit() ? RE_REG_LM_IDX : 0) | val;
            }
            case IMM -> {
                if ((val & ~(0x7f | (hasImm8 ? 0x80 : 0))) != 0) throw new IllegalArgumentException("immediate too large: 0x" + Integer.toHexString(val));
                if ((val & 0x80) != 0) i8[0] = true;
                yield reImm(val & 0x7f);
            }
            case NONE -> isDst ? RE_REG_NO_DST : REG_NONE;
            case NNR -> throw new IllegalArgumentException("NNRs used with restricted encoding");
        };
    }

    /** {@code RE_REG_IMM_encode}: bits 0..4 stay, bits 5..6 move up one. */
    public static int reImm(int x) {
        return RE_REG_IMM | (x & 0x1f) | ((x & 0x60) << 1);
    }

    /** {@code swreg_to_restricted}. */
    public static ReRegs toRestricted(NfpReg dst, NfpReg lreg, NfpReg rreg, boolean hasImm8) {
        if (dst.type() == NfpReg.Type.IMM) throw new IllegalArgumentException("immediate destination " + dst);
        checkBanks(lreg, rreg);
        int dstAb = dst.type() == NfpReg.Type.GPR_B ? 1 : 0;
        boolean wrBoth = dst.type() == NfpReg.Type.GPR_BOTH;
        int d = restricted(dst, true, false, new boolean[1]);
        boolean[] i8 = new boolean[1];
        boolean swap = lreg.type() == NfpReg.Type.GPR_B || rreg.type() == NfpReg.Type.GPR_A;
        int a = restricted(swap ? rreg : lreg, false, hasImm8, i8);
        int b = restricted(swap ? lreg : rreg, false, hasImm8, i8);
        return new ReRegs(dstAb, d, a, b, swap, wrBoth, i8[0], dst.lmExtn(), lreg.lmExtn() || rreg.lmExtn());
    }

    private static void checkBanks(NfpReg lreg, NfpReg rreg) {
        if (lreg.type() == rreg.type() && lreg.type() != NfpReg.Type.NONE) {
            throw new IllegalArgumentException("both sources " + lreg + " and " + rreg + " are " + lreg.type() + ": one must come from each of the A and B operand fields");
        }
    }

    // ---- instruction forms ----

    /** {@code alu[dst, lreg, op, rreg]} ({@code emit_alu}). */
    public static long alu(NfpReg dst, NfpReg lreg, AluOp op, NfpReg rreg) {
        UrRegs r = toUnrestricted(dst, lreg, rreg);
        return OP_ALU_BASE
                | prep(OP_ALU_A_SRC, r.areg()) | prep(OP_ALU_B_SRC, r.breg()) | prep(OP_ALU_DST, r.dst())
                | prep(OP_ALU_SW, r.swap()) | prep(OP_ALU_OP, op.code) | prep(OP_ALU_DST_AB, r.dstAb())
                | prep(OP_ALU_WR_AB, r.wrBoth()) | prep(OP_ALU_SRC_LMEXTN, r.srcLmextn())
                | prep(OP_ALU_DST_LMEXTN, r.dstLmextn());
    }

    /**
     * {@code alu_shf[dst, lreg, op, rreg, shift]} ({@code emit_shf}). A left shift by {@code n} is
     * encoded as {@code 32 - n}; a shift of 0 with {@code R_SHF}/{@code L_SHF}/{@code R_DSHF} is
     * indirect (the amount is the low 5 bits of the previous ALU result).
     */
    public static long shf(NfpReg dst, NfpReg lreg, ShfOp op, NfpReg rreg, ShfSc sc, int shift) {
        if (shift < 0 || shift > 31) throw new IllegalArgumentException("shift " + shift + " outside 0..31");
        ReRegs r = toRestricted(dst, lreg, rreg, true);
        int enc = sc == ShfSc.L_SHF ? (32 - shift) & 0x1f : shift;
        return OP_SHF_BASE
                | prep(OP_SHF_A_SRC, r.areg()) | prep(OP_SHF_SC, sc.code) | prep(OP_SHF_B_SRC, r.breg())
                | prep(OP_SHF_I8, r.i8()) | prep(OP_SHF_SW, r.swap()) | prep(OP_SHF_DST, r.dst())
                | prep(OP_SHF_SHIFT, enc) | prep(OP_SHF_OP, op.code) | prep(OP_SHF_DST_AB, r.dstAb())
                | prep(OP_SHF_WR_AB, r.wrBoth()) | prep(OP_SHF_SRC_LMEXTN, r.srcLmextn())
                | prep(OP_SHF_DST_LMEXTN, r.dstLmextn());
    }

    /** An indirect shift ({@code emit_shf_indir}); rotation has no indirect form. */
    public static long shfIndirect(NfpReg dst, NfpReg lreg, ShfOp op, NfpReg rreg, ShfSc sc) {
        if (sc == ShfSc.R_ROT) throw new IllegalArgumentException("indirect shift is not allowed on rotation");
        return shf(dst, lreg, op, rreg, sc, 0);
    }

    /** {@code immed[dst, imm16, width, invert, shift]} ({@code emit_immed}). */
    public static long immed(NfpReg dst, int imm, ImmedWidth width, boolean invert, ImmedShift shift) {
        if (imm < 0 || imm > 0xffff) throw new IllegalArgumentException("immed value 0x" + Integer.toHexString(imm) + " is wider than 16 bits");
        UrRegs r = toUnrestricted(dst, dst, NfpReg.imm(imm & 0xff));
        // a no-destination immed (a previous-ALU value for an indirect command) puts "no dst" in A
        int areg = dst.type() == NfpReg.Type.NONE ? r.dst() : r.areg();
        return rawImmed(areg, r.breg(), imm >>> 8, width, invert, shift, r.wrBoth(), r.dstLmextn(), r.srcLmextn());
    }

    private static long rawImmed(int areg, int breg, int immHi, ImmedWidth width, boolean invert, ImmedShift shift,
                                 boolean wrBoth, boolean dstLmextn, boolean srcLmextn) {
        return OP_IMMED_BASE
                | prep(OP_IMMED_A_SRC, areg) | prep(OP_IMMED_B_SRC, breg) | prep(OP_IMMED_IMM, immHi)
                | prep(OP_IMMED_WIDTH, width.ordinal()) | prep(OP_IMMED_INV, invert) | prep(OP_IMMED_SHIFT, shift.ordinal())
                | prep(OP_IMMED_WR_AB, wrBoth) | prep(OP_IMMED_SRC_LMEXTN, srcLmextn) | prep(OP_IMMED_DST_LMEXTN, dstLmextn);
    }

    /** The no-operation the kernel emits: {@code immed[--, 0]} ({@code emit_nop}). */
    public static long nop() {
        return rawImmed(UR_REG_IMM, UR_REG_IMM, 0, ImmedWidth.ALL, false, ImmedShift.B0, false, false, false);
    }

    /**
     * {@code ld_field[dst, bmask, src, shift]} ({@code emit_ld_field_any}): the bytes of
     * {@code dst} selected by {@code bmask} receive those of the shifted {@code src}; with
     * {@code zero} the other bytes are cleared. {@code dst} is also the A-side source.
     */
    public static long ldField(NfpReg dst, int bmask, NfpReg src, ShfSc sc, int shift, boolean zero) {
        if (shift < 0 || shift > 31) throw new IllegalArgumentException("shift " + shift + " outside 0..31");
        ReRegs r = toRestricted(dst, dst, src, true);
        return OP_LDF_BASE
                | prep(OP_LDF_A_SRC, r.areg()) | prep(OP_LDF_SC, sc.code) | prep(OP_LDF_B_SRC, r.breg())
                | prep(OP_LDF_I8, r.i8()) | prep(OP_LDF_SW, r.swap()) | prep(OP_LDF_ZF, zero)
                | prep(OP_LDF_BMASK, bmask) | prep(OP_LDF_SHF, shift) | prep(OP_LDF_WR_AB, r.wrBoth())
                | prep(OP_LDF_SRC_LMEXTN, r.srcLmextn()) | prep(OP_LDF_DST_LMEXTN, r.dstLmextn());
    }

    /** Highest code-store address a branch can name (13 low bits plus the high bit). */
    public static final int BR_ADDR_MAX = 0x3fff;

    private static long brAddr(long loMask, long hiMask, int addr) {
        if (addr < 0 || addr > BR_ADDR_MAX) throw new IllegalArgumentException("branch target " + addr + " outside 0.." + BR_ADDR_MAX);
        int lo = addr & (int) (loMask >>> Long.numberOfTrailingZeros(loMask));
        return prep(loMask, lo) | prep(hiMask, addr != lo);
    }

    /** A conditional or unconditional branch ({@code __emit_br}); {@code defer} delay slots 0..3. */
    public static long br(BrMask mask, int addr, int defer) {
        if (mask == BrMask.UNC && defer > 2) throw new IllegalArgumentException("branch defer out of bounds " + defer);
        return OP_BR_BASE | prep(OP_BR_MASK, mask.code)
                | prep(OP_BR_EV_PIP, mask != BrMask.UNC ? BR_EV_PIP_COND : BR_EV_PIP_UNCOND)
                | prep(OP_BR_CSS, BR_CSS_NONE) | prep(OP_BR_DEFBR, defer) | brAddr(OP_BR_ADDR_LO, OP_BR_ADDR_HI, addr);
    }

    /**
     * Branch on a bit of {@code src} ({@code emit_br_bit_relo}): {@code br_bset} when {@code set},
     * else {@code br_bclr}. The bit is encoded as the rotate-right amount that moves it to the MSB.
     */
    public static long brBit(NfpReg src, int bit, int addr, int defer, boolean set) {
        if (bit < 0 || bit > 31) throw new IllegalArgumentException("bit " + bit + " outside 0..31");
        ReRegs r = toRestricted(NfpReg.none(), src, NfpReg.imm(bit + 1), false);
        return OP_BR_BIT_BASE | prep(OP_BR_BIT_A_SRC, r.areg()) | prep(OP_BR_BIT_B_SRC, r.breg())
                | prep(OP_BR_BIT_BV, set) | prep(OP_BR_DEFBR, defer) | brAddr(OP_BR_ADDR_LO, OP_BR_ADDR_HI, addr)
                | prep(OP_BR_BIT_SRC_LMEXTN, r.srcLmextn());
    }

    /**
     * Branch if byte {@code byteIndex} of {@code src} equals (or, without {@code eq}, differs
     * from) the 8-bit immediate {@code value} ({@code br=byte} / {@code br!=byte}).
     */
    public static long brByte(NfpReg src, int byteIndex, int value, boolean eq, int addr, int defer) {
        if (byteIndex < 0 || byteIndex > 3) throw new IllegalArgumentException("byte " + byteIndex + " outside 0..3");
        if (value < 0 || value > 0xff) throw new IllegalArgumentException("byte value " + value + " outside 0..255");
        ReRegs r = toRestricted(NfpReg.none(), src, NfpReg.imm(value), true);
        return OP_BBYTE_BASE | prep(OP_BB_A_SRC, r.areg()) | prep(OP_BB_BYTE, byteIndex) | prep(OP_BB_B_SRC, r.breg())
                | prep(OP_BB_I8, r.i8()) | prep(OP_BB_EQ, eq) | prep(OP_BB_DEFBR, defer)
                | brAddr(OP_BB_ADDR_LO, OP_BB_ADDR_HI, addr) | prep(OP_BB_SRC_LMEXTN, r.srcLmextn());
    }

    /** Return to the address in {@code base} ({@code emit_rtn}: the branch-to-ALU-result form). */
    public static long brAlu(NfpReg base, int defer) {
        UrRegs r = toUnrestricted(NfpReg.none(), base, NfpReg.imm(0));
        return OP_BR_ALU_BASE | prep(OP_BR_ALU_A_SRC, r.areg()) | prep(OP_BR_ALU_B_SRC, r.breg())
                | prep(OP_BR_ALU_DEFBR, defer) | prep(OP_BR_ALU_IMM_HI, 0)
                | prep(OP_BR_ALU_SRC_LMEXTN, r.srcLmextn()) | prep(OP_BR_ALU_DST_LMEXTN, r.dstLmextn());
    }

    /**
     * A memory command ({@code emit_cmd_any}): {@code op} at address {@code lreg + rreg} (32-bit
     * mode) or the 40-bit pair, {@code size + 1} bytes or words through transfer registers from
     * {@code xfer}; {@code ctx} says whether the thread waits for the completion signal.
     */
    public static long cmd(CmdTgt op, CmdMode mode, int xfer, NfpReg lreg, NfpReg rreg, int size, CmdCtx ctx, boolean indir) {
        ReRegs r = toRestricted(NfpReg.none(), lreg, rreg, false);
        if (r.swap()) throw new IllegalArgumentException("cmd can't swap arguments");
        if (r.dstLmextn() || r.srcLmextn()) throw new IllegalArgumentException("cmd can't use LMextn");
        return prep(OP_CMD_A_SRC, r.areg()) | prep(OP_CMD_CTX, ctx.ordinal()) | prep(OP_CMD_B_SRC, r.breg())
                | prep(OP_CMD_TOKEN, op.token) | prep(OP_CMD_XFER, xfer) | prep(OP_CMD_CNT, size)
                | prep(OP_CMD_SIG, ctx != CmdCtx.NO_SWAP) | prep(OP_CMD_TGT_CMD, op.tgtCmd)
                | prep(OP_CMD_INDIR, indir) | prep(OP_CMD_MODE, mode.code);
    }

    private static long lcsr(int areg, int breg, boolean write, int addr, boolean dstLmextn, boolean srcLmextn) {
        if ((addr & 3) != 0) throw new IllegalArgumentException("CSR address 0x" + Integer.toHexString(addr) + " is not word aligned");
        return OP_LCSR_BASE | prep(OP_LCSR_A_SRC, areg) | prep(OP_LCSR_B_SRC, breg) | prep(OP_LCSR_WRITE, write)
                | prep(OP_LCSR_ADDR, addr / 4) | prep(OP_LCSR_SRC_LMEXTN, srcLmextn) | prep(OP_LCSR_DST_LMEXTN, dstLmextn);
    }

    /** {@code local_csr_wr[addr, src]} ({@code emit_csr_wr}). */
    public static long csrWr(NfpReg src, int addr) {
        UrRegs r;
        int breg;
        if (src.type() == NfpReg.Type.IMM) {
            // the unused operand takes the immediate too
            r = toUnrestricted(NfpReg.none(), src, NfpReg.none());
            breg = r.areg();
        } else {
            r = toUnrestricted(NfpReg.none(), src, NfpReg.imm(0));
            breg = r.breg();
        }
        return lcsr(r.areg(), breg, true, addr, false, r.srcLmextn());
    }

    /** {@code local_csr_rd[addr]}; the value arrives in the next {@code immed[gpr, 0]} ({@code __emit_csr_rd}). */
    public static long csrRd(int addr) {
        return lcsr(0, 0, false, addr, false, false);
    }

    /**
     * One multiply step ({@code emit_mul}). For {@code LAST}/{@code LAST_2} {@code lreg} is the
     * destination of the product's low or high word and {@code rreg} is none.
     */
    public static long mul(NfpReg lreg, MulType type, MulStep step, NfpReg rreg) {
        if (type == MulType.START && step != MulStep.NONE) throw new IllegalArgumentException("multiplication start with step " + step);
        UrRegs r;
        int areg;
        if (step == MulStep.LAST || step == MulStep.LAST_2) {
            r = toUnrestricted(lreg, NfpReg.none(), rreg);
            areg = r.dst();
        } else {
            r = toUnrestricted(NfpReg.none(), lreg, rreg);
            areg = r.areg();
        }
        return OP_MUL_BASE | prep(OP_MUL_A_SRC, areg) | prep(OP_MUL_B_SRC, r.breg()) | prep(OP_MUL_STEP, step.code)
                | prep(OP_MUL_DST_AB, r.dstAb()) | prep(OP_MUL_SW, r.swap()) | prep(OP_MUL_TYPE, type.ordinal())
                | prep(OP_MUL_WR_AB, r.wrBoth()) | prep(OP_MUL_SRC_LMEXTN, r.srcLmextn()) | prep(OP_MUL_DST_LMEXTN, r.dstLmextn());
    }

    // ---- relocation helpers (nfp_asm.c, main.h) ----

    /** {@code nfp_is_br}: the two forms whose address field {@link #brSetOffset} rewrites. */
    public static boolean isBr(long insn) {
        return (insn & OP_BR_BASE_MASK) == OP_BR_BASE || (insn & OP_BR_BIT_BASE_MASK) == OP_BR_BIT_BASE;
    }

    /** {@code br_get_offset}. */
    public static int brGetOffset(long insn) {
        long lo = get(OP_BR_ADDR_LO, insn);
        long hi = get(OP_BR_ADDR_HI, insn);
        return (int) (hi * ((OP_BR_ADDR_LO >>> Long.numberOfTrailingZeros(OP_BR_ADDR_LO)) + 1) | lo);
    }

    /** {@code br_set_offset}. */
    public static long brSetOffset(long insn, int offset) {
        return (insn & ~(OP_BR_ADDR_LO | OP_BR_ADDR_HI)) | brAddr(OP_BR_ADDR_LO, OP_BR_ADDR_HI, offset);
    }

    /** {@code br_add_offset}. */
    public static long brAddOffset(long insn, int offset) {
        return brSetOffset(insn, brGetOffset(insn) + offset);
    }

    private static boolean unregIsImm(long reg) {
        return (reg & UR_REG_IMM) == UR_REG_IMM;
    }

    /** {@code immed_get_value}: the 16-bit value of an {@code immed}. */
    public static int immedGetValue(long insn) {
        long reg = get(OP_IMMED_A_SRC, insn);
        if (!unregIsImm(reg)) reg = get(OP_IMMED_B_SRC, insn);
        return (int) ((reg & 0xff) | get(OP_IMMED_IMM, insn) << 8);
    }

    /** {@code immed_can_modify}: only a plain, unshifted, full-width {@code immed} can be relocated. */
    public static boolean immedCanModify(long insn) {
        return get(OP_IMMED_INV, insn) == 0 && get(OP_IMMED_SHIFT, insn) == 0 && get(OP_IMMED_WIDTH, insn) == ImmedWidth.ALL.ordinal();
    }

    /** {@code immed_set_value}. */
    public static long immedSetValue(long insn, int value) {
        if (!immedCanModify(insn)) throw new IllegalArgumentException("immed 0x" + Long.toHexString(insn) + " is inverted, shifted or partial: it cannot be relocated");
        if (value < 0 || value > 0xffff) throw new IllegalArgumentException("immed value 0x" + Integer.toHexString(value) + " is wider than 16 bits");
        if (unregIsImm(get(OP_IMMED_A_SRC, insn))) {
            insn = (insn & ~prep(OP_IMMED_A_SRC, 0xff)) | prep(OP_IMMED_A_SRC, UR_REG_IMM | (value & 0xff));
        } else {
            insn = (insn & ~prep(OP_IMMED_B_SRC, 0xff)) | prep(OP_IMMED_B_SRC, UR_REG_IMM | (value & 0xff));
        }
        return (insn & ~OP_IMMED_IMM) | prep(OP_IMMED_IMM, value >>> 8);
    }

    /** {@code immed_add_value}. */
    public static long immedAddValue(long insn, int offset) {
        return immedSetValue(insn, immedGetValue(insn) + offset);
    }

    /** The relocation type kept in the word's top byte. */
    public static Relo relo(long insn) {
        Relo r = Relo.of((int) get(OP_RELO_TYPE, insn));
        if (r == null) throw new IllegalArgumentException("unknown relocation type " + get(OP_RELO_TYPE, insn) + " in 0x" + Long.toHexString(insn));
        return r;
    }

    /** {@code insn} with relocation type {@code relo} in its top byte. */
    public static long withRelo(long insn, Relo relo) {
        return (insn & ~OP_RELO_TYPE) | ((long) relo.ordinal() << 56);
    }

    // ---- ECC (nfp_asm.c) ----

    private static final long[] ECC_POLYNOMIALS = {
        0x0ff800007fffL, 0x11f801ff801fL, 0x1e387e0781e1L, 0x17cb8e388e22L,
        0x1af5b2c93244L, 0x1f56d5525488L, 0x0daf69a46910L,
    };

    /** {@code nfp_ustore_check_valid_no_ecc}: nothing above the instruction bits. */
    public static boolean validNoEcc(long insn) {
        return (insn & ~((1L << (NFP_USTORE_OP_BITS + 1)) - 1)) == 0;
    }

    /** {@code nfp_ustore_calc_ecc_insn}: the instruction with its 7 ECC bits at bit 45. */
    public static long withEcc(long insn) {
        if (!validNoEcc(insn)) throw new IllegalArgumentException("instruction 0x" + Long.toHexString(insn) + " has bits above bit " + NFP_USTORE_OP_BITS);
        long ecc = 0;
        for (int i = 0; i < ECC_POLYNOMIALS.length; i++) {
            ecc |= (long) (Long.bitCount(ECC_POLYNOMIALS[i] & insn) & 1) << i;
        }
        return insn | ecc << NFP_USTORE_OP_BITS;
    }
}
