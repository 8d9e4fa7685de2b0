package org.obpf.offload.nfp.sim;

/**
 * The NFP-6xxx microengine's instruction fields, as the kernel defines them
 * ({@code drivers/net/ethernet/netronome/nfp/nfp_asm.h}): the hardware's own definition, so the
 * simulator decodes without depending on any back-end. Also the code store's ECC
 * ({@code nfp_asm.c}) and the relocation byte the kernel keeps above it until load.
 */
public final class Fields {
    private Fields() {}

    public static final int OP_BITS = 45;
    public static final long OP_MASK = (1L << OP_BITS) - 1;
    public static final long ECC_MASK = 0x7fL << OP_BITS;
    public static final long RELO_MASK = 0xff00000000000000L;

    static final long BR_BASE = 0x0d800000020L, BR_BASE_MASK = 0x0f8000c3ce0L, BR_MASK = 0x1fL;
    static final long BR_DEFBR = 0x00000300000L, BR_ADDR_LO = 0x007ffc00000L, BR_ADDR_HI = 0x10000000000L;
    static final long BR_BIT_BASE = 0x0d000000000L, BR_BIT_BASE_MASK = 0x0f800080300L;
    static final long BR_BIT_A = 0xffL, BR_BIT_B = 0x3fc00L, BR_BIT_BV = 0x40000L, BR_BIT_LMEXTN = 0x40000000000L;
    static final long BR_ALU_BASE = 0x0e800000000L, BR_ALU_BASE_MASK = 0x0ff80000000L;
    static final long BR_ALU_A = 0x3ffL, BR_ALU_B = 0xffc00L, BR_ALU_IMM_HI = 0x0007fc00000L, BR_ALU_LMEXTN = 0x40000000000L;
    static final long BB_A = 0xffL, BB_BYTE = 0x300L, BB_B = 0x3fc00L, BB_I8 = 0x40000L, BB_EQ = 0x80000L, BB_LMEXTN = 0x40000000000L;

    static final long IMMED_A = 0x3ffL, IMMED_B = 0xffc00L, IMMED_IMM = 0x0000ff00000L, IMMED_WIDTH = 0x00060000000L,
            IMMED_INV = 0x00080000000L, IMMED_SHIFT = 0x00600000000L, IMMED_WR_AB = 0x20000000000L,
            IMMED_SRC_LMEXTN = 0x40000000000L, IMMED_DST_LMEXTN = 0x80000000000L;

    static final long SHF_A = 0xffL, SHF_SC = 0x300L, SHF_B = 0x3fc00L, SHF_I8 = 0x40000L, SHF_SW = 0x80000L,
            SHF_DST = 0x0000ff00000L, SHF_SHIFT = 0x001f0000000L, SHF_OP = 0x00e00000000L, SHF_DST_AB = 0x01000000000L,
            SHF_WR_AB = 0x20000000000L, SHF_SRC_LMEXTN = 0x40000000000L, SHF_DST_LMEXTN = 0x80000000000L;

    static final long ALU_A = 0x3ffL, ALU_B = 0xffc00L, ALU_DST = 0x0003ff00000L, ALU_SW = 0x00040000000L,
            ALU_OP = 0x00f80000000L, ALU_DST_AB = 0x01000000000L, ALU_WR_AB = 0x20000000000L,
            ALU_SRC_LMEXTN = 0x40000000000L, ALU_DST_LMEXTN = 0x80000000000L;

    static final long LDF_A = 0xffL, LDF_SC = 0x300L, LDF_B = 0x3fc00L, LDF_I8 = 0x40000L, LDF_SW = 0x80000L,
            LDF_ZF = 0x100000L, LDF_BMASK = 0x0000f000000L, LDF_SHF = 0x001f0000000L, LDF_WR_AB = 0x20000000000L,
            LDF_SRC_LMEXTN = 0x40000000000L, LDF_DST_LMEXTN = 0x80000000000L;

    static final long CMD_A = 0xffL, CMD_CTX = 0x300L, CMD_B = 0x3fc00L, CMD_TOKEN = 0xc0000L, CMD_XFER = 0x00001f00000L,
            CMD_CNT = 0x0000e000000L, CMD_TGT_CMD = 0x07f00000000L, CMD_INDIR = 0x20000000000L, CMD_MODE = 0x1c0000000000L;

    static final long LCSR_A = 0x3ffL, LCSR_B = 0xffc00L, LCSR_WRITE = 0x200000L, LCSR_ADDR = 0x001ffc00000L, LCSR_SRC_LMEXTN = 0x40000000000L;

    static final long MUL_A = 0x3ffL, MUL_B = 0xffc00L, MUL_STEP = 0x700000L, MUL_DST_AB = 0x800000L, MUL_SW = 0x40000000L,
            MUL_TYPE = 0x180000000L, MUL_WR_AB = 0x20000000000L, MUL_SRC_LMEXTN = 0x40000000000L, MUL_DST_LMEXTN = 0x80000000000L;

    // operand encodings
    static final int RE_REG_NO_DST = 0x20, RE_REG_IMM = 0x20, RE_REG_LM = 0x50, RE_REG_LM_IDX = 0x08, RE_REG_XFR = 0x80;
    static final int UR_REG_XFR = 0x180, UR_REG_LM = 0x200, UR_REG_LM_IDX = 0x20, UR_REG_LM_POST_MOD = 0x10,
            UR_REG_LM_POST_MOD_DEC = 0x01, UR_REG_NN = 0x280, UR_REG_NO_DST = 0x300, UR_REG_IMM = 0x300;

    public static final int CSR_ACT_LM_ADDR0 = 0x64, CSR_ACT_LM_ADDR1 = 0x6c, CSR_ACT_LM_ADDR2 = 0x94, CSR_ACT_LM_ADDR3 = 0x9c,
            CSR_PSEUDO_RND_NUM = 0x148;

    public static long get(long mask, long w) {
        return (w & mask) >>> Long.numberOfTrailingZeros(mask);
    }

    /** A branch's target word: 13 low bits plus the high bit. */
    public static int brTarget(long w) {
        return (int) (get(BR_ADDR_LO, w) | get(BR_ADDR_HI, w) << 13);
    }

    /** The br and br_bit forms whose address field relocation rewrites ({@code nfp_is_br}). */
    public static boolean isBr(long w) {
        return (w & BR_BASE_MASK) == BR_BASE || (w & BR_BIT_BASE_MASK) == BR_BIT_BASE;
    }

    public static long withBrTarget(long w, int addr) {
        if (addr < 0 || addr > 0x3fff) throw new IllegalArgumentException("branch target " + addr + " outside the code store (0..16383)");
        return (w & ~(BR_ADDR_LO | BR_ADDR_HI)) | ((long) (addr & 0x1fff) << 22) | ((long) (addr >>> 13) << 40);
    }

    /** The 16-bit value of a full-width, unshifted {@code immed} ({@code immed_get_value}). */
    public static int immedValue(long w) {
        long reg = get(IMMED_A, w);
        if ((reg & UR_REG_IMM) != UR_REG_IMM) reg = get(IMMED_B, w);
        return (int) ((reg & 0xff) | get(IMMED_IMM, w) << 8);
    }

    /** {@code immed_set_value}: only a plain full-width immed can take a relocated value. */
    public static long withImmedValue(long w, int value) {
        if (get(IMMED_INV, w) != 0 || get(IMMED_SHIFT, w) != 0 || get(IMMED_WIDTH, w) != 0) {
            throw new IllegalArgumentException("immed is inverted, shifted or partial: it cannot be relocated");
        }
        if (value < 0 || value > 0xffff) throw new IllegalArgumentException("value 0x" + Integer.toHexString(value) + " is wider than 16 bits");
        if ((get(IMMED_A, w) & UR_REG_IMM) == UR_REG_IMM) w = (w & ~0xffL) | (value & 0xff);
        else w = (w & ~(0xffL << 10)) | ((long) (value & 0xff) << 10);
        return (w & ~IMMED_IMM) | ((long) (value >>> 8) << 20);
    }

    private static final long[] ECC_POLYNOMIALS = {
        0x0ff800007fffL, 0x11f801ff801fL, 0x1e387e0781e1L, 0x17cb8e388e22L,
        0x1af5b2c93244L, 0x1f56d5525488L, 0x0daf69a46910L,
    };

    /** The 7 ECC bits of an instruction ({@code nfp_ustore_calc_ecc_insn}), at bit 45. */
    public static long ecc(long insn) {
        long ecc = 0;
        for (int i = 0; i < ECC_POLYNOMIALS.length; i++) ecc |= (long) (Long.bitCount(ECC_POLYNOMIALS[i] & insn) & 1) << i;
        return ecc << OP_BITS;
    }
}
