package org.obpf.jit.nfp;

/**
 * One microengine operand before encoding: the kernel's {@code swreg} ({@code nfp_asm.h}) as a
 * typed value. Whether it becomes a 10-bit unrestricted or an 8-bit restricted operand field, and
 * in which of the A/B fields, is decided per instruction by {@link NfpAsm}.
 *
 * @param type    what it names
 * @param value   GPR or transfer/NN register number, immediate value, or local-memory offset
 * @param lmIndex local-memory index register 0..3 ({@code *l$index0..3}); bit 1 is the LM extension bit
 * @param lmMode  local-memory post-modification (inc/dec) or none
 */
public record NfpReg(Type type, int value, int lmIndex, LmMode lmMode) {

    /** The kernel's {@code enum nfp_bpf_reg_type}. */
    public enum Type {
        /** General-purpose register of bank A. */
        GPR_A,
        /** General-purpose register of bank B. */
        GPR_B,
        /** Destination only: write the register number in both banks. */
        GPR_BOTH,
        /** Next-neighbour register. */
        NNR,
        /** Transfer register ({@code $xfer_n}): read data comes in, write data goes out. */
        XFER,
        /** Immediate operand. */
        IMM,
        /** No operand / no destination. */
        NONE,
        /** Local memory through an LM index register. */
        LMEM
    }

    /** The kernel's {@code enum nfp_bpf_lm_mode}. */
    public enum LmMode { NONE, INC, DEC }

    /** General-purpose registers per bank the encoder accepts (4-context mode). */
    public static final int GPRS = 32;

    public NfpReg {
        if (type == null || lmMode == null) throw new IllegalArgumentException("operand type and LM mode are required");
        switch (type) {
            case GPR_A, GPR_B, GPR_BOTH -> { if (value < 0 || value >= GPRS) throw new IllegalArgumentException("GPR " + value + " outside 0.." + (GPRS - 1)); }
            case NNR, XFER -> { if (value < 0 || value > 0x7f) throw new IllegalArgumentException(type + " register " + value + " outside 0..127"); }
            case IMM -> { if (value < 0 || value > 0xffff) throw new IllegalArgumentException("immediate " + value + " outside 0..0xffff"); }
            case NONE -> { }
            case LMEM -> {
                if (lmIndex < 0 || lmIndex > 3) throw new IllegalArgumentException("LM index " + lmIndex + " outside 0..3");
                if (value < 0 || value > 0xff) throw new IllegalArgumentException("LM offset " + value + " outside 0..255");
                if (value != 0 && lmMode != LmMode.NONE) throw new IllegalArgumentException("LM offset in inc/dec mode");
            }
        }
    }

    public static NfpReg a(int n) { return new NfpReg(Type.GPR_A, n, 0, LmMode.NONE); }
    public static NfpReg b(int n) { return new NfpReg(Type.GPR_B, n, 0, LmMode.NONE); }
    public static NfpReg both(int n) { return new NfpReg(Type.GPR_BOTH, n, 0, LmMode.NONE); }
    public static NfpReg nnr(int n) { return new NfpReg(Type.NNR, n, 0, LmMode.NONE); }
    public static NfpReg xfer(int n) { return new NfpReg(Type.XFER, n, 0, LmMode.NONE); }
    public static NfpReg imm(int v) { return new NfpReg(Type.IMM, v, 0, LmMode.NONE); }
    public static NfpReg none() { return new NfpReg(Type.NONE, 0, 0, LmMode.NONE); }
    /** {@code *l$index<id>[off]}. */
    public static NfpReg lm(int id, int off) { return new NfpReg(Type.LMEM, off, id, LmMode.NONE); }
    /** {@code *l$index<id>++}. */
    public static NfpReg lmInc(int id) { return new NfpReg(Type.LMEM, 0, id, LmMode.INC); }
    /** {@code *l$index<id>--}. */
    public static NfpReg lmDec(int id) { return new NfpReg(Type.LMEM, 0, id, LmMode.DEC); }

    /** The LM index's low bit, encoded in the operand field. */
    boolean lmIdxBit() {
        return type == Type.LMEM && (lmIndex & 1) != 0;
    }

    /** The LM index's high bit: the instruction's LM extension bit ({@code swreg_lmextn}). */
    boolean lmExtn() {
        return type == Type.LMEM && (lmIndex & 2) != 0;
    }

    @Override
    public String toString() {
        return switch (type) {
            case GPR_A -> "a" + value;
            case GPR_B -> "b" + value;
            case GPR_BOTH -> "ab" + value;
            case NNR -> "n$reg_" + value;
            case XFER -> "$xfer_" + value;
            case IMM -> "0x" + Integer.toHexString(value);
            case NONE -> "--";
            case LMEM -> switch (lmMode) {
                case NONE -> "*l$index" + lmIndex + "[" + value + "]";
                case INC -> "*l$index" + lmIndex + "++";
                case DEC -> "*l$index" + lmIndex + "--";
            };
        };
    }
}
