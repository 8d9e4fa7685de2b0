package org.obpf.offload.nfp.sim;

import static org.obpf.offload.nfp.sim.Fields.*;

/**
 * Operand codes: the kind in bits 16 and up, the register number, immediate or local-memory
 * reference below. Local memory: index register in bits 0..1, post-modification in bits 2..3
 * (1 increment, 2 decrement), word offset from bit 4.
 */
final class Operand {
    private Operand() {}

    static final int GPR_A = 0, GPR_B = 1, XFER = 2, NN = 3, LM = 4, IMM = 5, NO = 6, BOTH = 7;
    static final int NONE = NO << 16;

    static int of(int kind, int payload) {
        return kind << 16 | payload;
    }

    static int kind(int op) {
        return op >>> 16;
    }

    static int payload(int op) {
        return op & 0xffff;
    }

    static boolean isImm(int op) {
        return kind(op) == IMM;
    }

    static int lm(int idx, int mode, int off) {
        return of(LM, idx | mode << 2 | off << 4);
    }

    /** An 8-bit restricted source field ({@code nfp_swreg_to_rereg}'s inverse). */
    static int restricted(long x, char bank, boolean i8, boolean lmextn, long w) {
        if ((x & RE_REG_IMM) != 0) return of(IMM, (int) ((x & 0x1f) | ((x >>> 1) & 0x60) | (i8 ? 0x80 : 0)));
        if ((x & 0xf0) == RE_REG_LM) return lm(((x & RE_REG_LM_IDX) != 0 ? 1 : 0) | (lmextn ? 2 : 0), 0, (int) (x & 7));
        if ((x & 0xe0) == RE_REG_XFR) return of(XFER, (int) (x & 0x1f));
        if (x < 32) return of(bank == 'a' ? GPR_A : GPR_B, (int) x);
        throw Op.bad(w, "restricted operand 0x" + Long.toHexString(x) + " is not modelled");
    }

    static int restrictedDst(long x, boolean dstB, boolean wrBoth, boolean lmextn, long w) {
        if (x == RE_REG_NO_DST) return NONE;
        if ((x & RE_REG_IMM) != 0) throw Op.bad(w, "immediate destination 0x" + Long.toHexString(x));
        return dst(restricted(x, dstB ? 'b' : 'a', false, lmextn, w), wrBoth);
    }

    /** A 10-bit unrestricted source field ({@code nfp_swreg_to_unreg}'s inverse). */
    static int unrestricted(long x, char bank, boolean lmextn, long w) {
        if ((x & UR_REG_IMM) == UR_REG_IMM) return of(IMM, (int) (x & 0xff));
        if ((x & 0x380) == UR_REG_NN) return of(NN, (int) (x & 0x7f));
        if ((x & 0x380) == UR_REG_XFR) return of(XFER, (int) (x & 0x7f));
        if ((x & 0x3c0) == UR_REG_LM) {
            int idx = ((x & UR_REG_LM_IDX) != 0 ? 1 : 0) | (lmextn ? 2 : 0);
            if ((x & UR_REG_LM_POST_MOD) != 0) return lm(idx, (x & UR_REG_LM_POST_MOD_DEC) != 0 ? 2 : 1, 0);
            return lm(idx, 0, (int) (x & 0xf));
        }
        if (x < 32) return of(bank == 'a' ? GPR_A : GPR_B, (int) x);
        throw Op.bad(w, "unrestricted operand 0x" + Long.toHexString(x) + " is not modelled");
    }

    static int unrestrictedDst(long x, boolean dstB, boolean wrBoth, boolean lmextn, long w) {
        if (x == UR_REG_NO_DST) return NONE;
        if ((x & UR_REG_IMM) == UR_REG_IMM) throw Op.bad(w, "immediate destination 0x" + Long.toHexString(x));
        return dst(unrestricted(x, dstB ? 'b' : 'a', lmextn, w), wrBoth);
    }

    private static int dst(int op, boolean wrBoth) {
        if (wrBoth && (kind(op) == GPR_A || kind(op) == GPR_B)) return of(BOTH, payload(op));
        return op;
    }

    static String describe(int op) {
        int p = payload(op);
        return switch (kind(op)) {
            case GPR_A -> "a" + p;
            case GPR_B -> "b" + p;
            case BOTH -> "ab" + p;
            case XFER -> "$xfer_" + p;
            case NN -> "n$reg_" + p;
            case LM -> "*l$index" + (p & 3) + "[" + (p >>> 4) + "]";
            case IMM -> "0x" + Integer.toHexString(p);
            default -> "--";
        };
    }
}
