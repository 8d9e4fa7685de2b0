package org.obpf.offload.nfp.sim;

import static org.obpf.offload.nfp.sim.Fields.*;

/**
 * One code-store word decoded once at load: its form, operands as {@link Operand} codes (bank,
 * transfer, neighbour, local memory or immediate already told apart) and its fields, so the
 * execution loop never looks at bit fields again.
 */
final class Op {
    static final int ALU = 0, SHF = 1, LDF = 2, IMMED = 3, BR = 4, BR_BIT = 5, BR_BYTE = 6, BR_ALU = 7, CMD = 8, CSR_RD = 9,
            CSR_WR = 10, MUL = 11;

    final long word;
    int form;
    /** Source operands as read from the A and B fields, and the destination. */
    int a, b, dst;
    boolean swap;
    /** ALU/shift op, shift class, shift amount (raw field), branch condition, command, byte mask, CSR... */
    int op, sc, shift, cond, mask, value, defer, target, xfer, count, mode, ctx, csr, step, type;
    boolean flag, indirect, zero;

    Op(long word) {
        this.word = word;
    }

    static IllegalArgumentException bad(long w, String why) {
        return new IllegalArgumentException("instruction 0x" + Long.toHexString(w) + ": " + why);
    }

    /** Decodes the 45 instruction bits (ECC already checked and removed). */
    static Op decode(long w) {
        Op o = new Op(w);
        if ((w & (1L << 39)) == 0) {
            o.form = CMD;
            o.a = Operand.restricted(get(CMD_A, w), 'a', false, false, w);
            o.b = Operand.restricted(get(CMD_B, w), 'b', false, false, w);
            o.ctx = (int) get(CMD_CTX, w);
            o.xfer = (int) get(CMD_XFER, w);
            o.count = (int) get(CMD_CNT, w);
            o.op = (int) (get(CMD_TOKEN, w) << 8 | get(CMD_TGT_CMD, w));
            o.indirect = get(CMD_INDIR, w) != 0;
            o.mode = (int) get(CMD_MODE, w);
            if (o.mode != 0 && o.mode != 1 && o.mode != 4) throw bad(w, "command address mode " + o.mode + " is not 40b_ab, 40b_ba or 32b");
            return o;
        }
        int top3 = (int) (w >>> 37) & 7;
        if (top3 == 0b100) {
            o.form = SHF;
            boolean i8 = get(SHF_I8, w) != 0, lm = get(SHF_SRC_LMEXTN, w) != 0;
            o.a = Operand.restricted(get(SHF_A, w), 'a', i8, lm, w);
            o.b = Operand.restricted(get(SHF_B, w), 'b', i8, lm, w);
            o.swap = get(SHF_SW, w) != 0;
            o.sc = (int) get(SHF_SC, w);
            o.shift = (int) get(SHF_SHIFT, w);
            o.op = (int) get(SHF_OP, w);
            if (o.op != 0 && o.op != 2 && o.op != 5 && o.op != 6) throw bad(w, "shift op " + o.op + " is not B, AND, OR or ASHR");
            o.dst = Operand.restrictedDst(get(SHF_DST, w), get(SHF_DST_AB, w) != 0, get(SHF_WR_AB, w) != 0, get(SHF_DST_LMEXTN, w) != 0, w);
            return o;
        }
        if (top3 == 0b101) {
            o.form = ALU;
            boolean lm = get(ALU_SRC_LMEXTN, w) != 0;
            o.a = Operand.unrestricted(get(ALU_A, w), 'a', lm, w);
            o.b = Operand.unrestricted(get(ALU_B, w), 'b', lm, w);
            o.swap = get(ALU_SW, w) != 0;
            o.op = (int) get(ALU_OP, w);
            if (!Alu.known(o.op)) throw bad(w, "ALU op 0x" + Integer.toHexString(o.op) + " is not modelled");
            o.dst = Operand.unrestrictedDst(get(ALU_DST, w), get(ALU_DST_AB, w) != 0, get(ALU_WR_AB, w) != 0, get(ALU_DST_LMEXTN, w) != 0, w);
            return o;
        }
        int top5 = (int) (w >>> 35) & 0x1f;
        switch (top5) {
            case 0b11000 -> {
                o.form = LDF;
                boolean i8 = get(LDF_I8, w) != 0, lm = get(LDF_SRC_LMEXTN, w) != 0;
                o.swap = get(LDF_SW, w) != 0;
                o.a = Operand.restricted(get(LDF_A, w), 'a', i8, lm, w);
                o.b = Operand.restricted(get(LDF_B, w), 'b', i8, lm, w);
                // the destination is the field that also gives the old value: A, or B when swapped
                long dfield = o.swap ? get(LDF_B, w) : get(LDF_A, w);
                o.dst = Operand.restrictedDst(dfield, o.swap, get(LDF_WR_AB, w) != 0, get(LDF_DST_LMEXTN, w) != 0, w);
                o.sc = (int) get(LDF_SC, w);
                o.shift = (int) get(LDF_SHF, w);
                o.mask = (int) get(LDF_BMASK, w);
                o.zero = get(LDF_ZF, w) != 0;
            }
            case 0b11001 -> {
                o.form = BR_BYTE;
                boolean i8 = get(BB_I8, w) != 0, lm = get(BB_LMEXTN, w) != 0;
                int fa = Operand.restricted(get(BB_A, w), 'a', i8, lm, w), fb = Operand.restricted(get(BB_B, w), 'b', i8, lm, w);
                if (Operand.isImm(fb)) {
                    o.a = fa;
                    o.value = Operand.payload(fb);
                } else if (Operand.isImm(fa)) {
                    o.a = fb;
                    o.value = Operand.payload(fa);
                } else throw bad(w, "br=byte without an immediate byte");
                o.mask = (int) get(BB_BYTE, w);
                o.flag = get(BB_EQ, w) != 0;
                o.defer = (int) get(BR_DEFBR, w);
                o.target = brTarget(w);
            }
            case 0b11010 -> {
                if ((w & BR_BIT_BASE_MASK) != BR_BIT_BASE) throw bad(w, "not a br_bit form");
                o.form = BR_BIT;
                boolean lm = get(BR_BIT_LMEXTN, w) != 0;
                int fa = Operand.restricted(get(BR_BIT_A, w), 'a', false, lm, w), fb = Operand.restricted(get(BR_BIT_B, w), 'b', false, lm, w);
                int rot;
                if (Operand.isImm(fb)) {
                    o.a = fa;
                    rot = Operand.payload(fb);
                } else if (Operand.isImm(fa)) {
                    o.a = fb;
                    rot = Operand.payload(fa);
                } else throw bad(w, "br_bit without an immediate bit");
                // the rotate-right amount that brings the bit to the MSB
                o.value = (rot - 1) & 31;
                o.flag = get(BR_BIT_BV, w) != 0;
                o.defer = (int) get(BR_DEFBR, w);
                o.target = brTarget(w);
            }
            case 0b11011 -> {
                if ((w & BR_BASE_MASK) != BR_BASE) throw bad(w, "not a br form");
                o.form = BR;
                o.cond = (int) get(BR_MASK, w);
                if (!Alu.knownCond(o.cond)) throw bad(w, "branch condition 0x" + Integer.toHexString(o.cond) + " is not modelled");
                o.defer = (int) get(BR_DEFBR, w);
                if (o.defer > 3) throw bad(w, "defer " + o.defer);
                o.target = brTarget(w);
            }
            case 0b11101 -> {
                if ((w & BR_ALU_BASE_MASK) != BR_ALU_BASE) throw bad(w, "not a branch-to-ALU form");
                o.form = BR_ALU;
                boolean lm = get(BR_ALU_LMEXTN, w) != 0;
                int fa = Operand.unrestricted(get(BR_ALU_A, w), 'a', lm, w), fb = Operand.unrestricted(get(BR_ALU_B, w), 'b', lm, w);
                o.a = Operand.isImm(fa) ? fb : fa;
                o.value = (int) get(BR_ALU_IMM_HI, w);
                o.defer = (int) get(BR_DEFBR, w);
            }
            case 0b11110 -> {
                o.form = IMMED;
                long fa = get(IMMED_A, w), fb = get(IMMED_B, w);
                boolean aImm = (fa & UR_REG_IMM) == UR_REG_IMM, bImm = (fb & UR_REG_IMM) == UR_REG_IMM;
                boolean wrBoth = get(IMMED_WR_AB, w) != 0, lm = get(IMMED_DST_LMEXTN, w) != 0;
                int lo;
                if (aImm && bImm) {
                    o.dst = Operand.NONE;
                    lo = (int) (fb & 0xff);
                } else if (bImm) {
                    o.dst = Operand.unrestrictedDst(fa, false, wrBoth, lm, w);
                    lo = (int) (fb & 0xff);
                } else if (aImm) {
                    o.dst = Operand.unrestrictedDst(fb, true, wrBoth, lm, w);
                    lo = (int) (fa & 0xff);
                } else throw bad(w, "immed without an immediate operand");
                int v = lo | (int) get(IMMED_IMM, w) << 8;
                int width = (int) get(IMMED_WIDTH, w), sh = (int) get(IMMED_SHIFT, w);
                if (width == 3 || sh == 3) throw bad(w, "immed width " + width + " shift " + sh);
                int vmask = width == 0 ? -1 : width == 1 ? 0xff << 8 * sh : 0xffff << 8 * sh;
                int val = v << 8 * sh;
                if (get(IMMED_INV, w) != 0) val = ~val;
                o.value = val;
                o.mask = vmask;
            }
            case 0b11111 -> {
                if ((w & (1L << 34)) != 0) {
                    o.csr = (int) get(LCSR_ADDR, w) * 4;
                    if (get(LCSR_WRITE, w) != 0) {
                        o.form = CSR_WR;
                        boolean lm = get(LCSR_SRC_LMEXTN, w) != 0;
                        int fa = Operand.unrestricted(get(LCSR_A, w), 'a', lm, w), fb = Operand.unrestricted(get(LCSR_B, w), 'b', lm, w);
                        o.a = Operand.isImm(fa) ? fb : fa;
                    } else {
                        o.form = CSR_RD;
                    }
                } else {
                    o.form = MUL;
                    o.step = (int) get(MUL_STEP, w);
                    o.type = (int) get(MUL_TYPE, w);
                    if (o.type != 0 && o.type != 3) throw bad(w, "multiply type " + o.type + " (only 32x32 is modelled)");
                    boolean lm = get(MUL_SRC_LMEXTN, w) != 0;
                    o.swap = get(MUL_SW, w) != 0;
                    if (o.step == 4 || o.step == 5) {
                        o.dst = Operand.unrestrictedDst(get(MUL_A, w), get(MUL_DST_AB, w) != 0, get(MUL_WR_AB, w) != 0,
                                get(MUL_DST_LMEXTN, w) != 0, w);
                    } else if (o.step > 5) {
                        throw bad(w, "multiply step " + o.step);
                    } else {
                        o.a = Operand.unrestricted(get(MUL_A, w), 'a', lm, w);
                        o.b = Operand.unrestricted(get(MUL_B, w), 'b', lm, w);
                    }
                }
            }
            default -> throw bad(w, "unknown instruction form");
        }
        return o;
    }
}
