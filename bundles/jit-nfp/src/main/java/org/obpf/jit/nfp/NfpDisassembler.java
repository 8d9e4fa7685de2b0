package org.obpf.jit.nfp;

import static org.obpf.jit.nfp.NfpAsm.*;

import java.util.ArrayList;
import java.util.List;
import org.obpf.api.jit.JitBackend;
import org.obpf.api.jit.code.MachineDisassembler;
import org.osgi.service.component.annotations.Component;

/**
 * Disassembles the NFP microengine words the back-end emits, in a syntax close to Netronome's
 * assembler: {@code alu[ab4, a4, +, b6]}, {@code immed[b22, 0x3fff]}, {@code blo[.9]},
 * {@code mem[read32_swap, $xfer_0, a4, 0x10, 1], ctx_swap}. Operands: {@code aN}/{@code bN} a GPR
 * of bank A/B, {@code abN} a destination written in both banks, {@code $xfer_N},
 * {@code n$reg_N}, {@code *l$indexN[off]}/{@code ++}/{@code --}, {@code --} none, immediates in
 * hex. Branch targets are code-store word addresses ({@code .N}); a word still carrying a
 * relocation type in its top byte is annotated with it, and a word carrying ECC bits is checked.
 */
@Component(property = JitBackend.ARCH + "=" + NfpJitBackend.ARCH)
public final class NfpDisassembler implements MachineDisassembler {

    private static final long OP_MASK = (1L << NFP_USTORE_OP_BITS) - 1;
    private static final long ECC_MASK = 0x7fL << NFP_USTORE_OP_BITS;

    @Override
    public String arch() {
        return NfpJitBackend.ARCH;
    }

    @Override
    public List<String> disassemble(byte[] code, long address) {
        if (code.length % 8 != 0) throw new IllegalArgumentException("NFP code is " + code.length + " bytes, not a whole number of 8-byte words");
        List<String> out = new ArrayList<>();
        for (int off = 0; off < code.length; off += 8) {
            long w = 0;
            for (int i = 7; i >= 0; i--) w = w << 8 | (code[off + i] & 0xff);
            out.add(String.format("%8x:\t%016x\t%s", address + off, w, text(w, off)));
        }
        return out;
    }

    /** The text of one word; {@code offset} only names the place in errors. */
    public static String text(long word, int offset) {
        long op = word & OP_MASK;
        String t = decode(op, offset);
        long relo = get(OP_RELO_TYPE, word);
        if (relo != 0) {
            Relo r = Relo.of((int) relo);
            t += "\t; " + (r == null ? "relocation type " + relo : r.relocationName());
        } else if ((word & ECC_MASK) != 0 && withEcc(op & ~(1L << NFP_USTORE_OP_BITS)) != (word & (OP_MASK | ECC_MASK))) {
            t += "\t; bad ECC";
        }
        if ((word & ~(OP_MASK | ECC_MASK | OP_RELO_TYPE)) != 0) {
            throw new IllegalArgumentException("word 0x" + Long.toHexString(word) + " at offset 0x" + Integer.toHexString(offset) + " has bits set between the ECC and the relocation byte");
        }
        return t;
    }

    /** The instruction (bits 0..44) as text. */
    public static String decode(long w, int offset) {
        if ((w & (1L << 39)) == 0) return cmd(w);
        int top3 = (int) (w >>> 37) & 7;
        if (top3 == 0b100) return shf(w);
        if (top3 == 0b101) return alu(w);
        int top5 = (int) (w >>> 35) & 0x1f;
        return switch (top5) {
            case 0b11000 -> ldField(w);
            case 0b11001 -> brByte(w);
            case 0b11010 -> {
                if ((w & OP_BR_BIT_BASE_MASK) != OP_BR_BIT_BASE) throw unknown(w, offset);
                yield brBit(w);
            }
            case 0b11011 -> {
                if ((w & OP_BR_BASE_MASK) != OP_BR_BASE) throw unknown(w, offset);
                yield br(w);
            }
            case 0b11101 -> {
                if ((w & OP_BR_ALU_BASE_MASK) != OP_BR_ALU_BASE) throw unknown(w, offset);
                yield "rtn[" + ur(get(OP_BR_ALU_A_SRC, w) == UR_REG_IMM ? get(OP_BR_ALU_B_SRC, w) : get(OP_BR_ALU_A_SRC, w),
                        get(OP_BR_ALU_A_SRC, w) == UR_REG_IMM ? 'b' : 'a', (w & OP_BR_ALU_SRC_LMEXTN) != 0) + "]" + defer(get(OP_BR_ALU_DEFBR, w));
            }
            case 0b11110 -> immed(w);
            case 0b11111 -> (w & (1L << 34)) != 0 ? lcsr(w) : mul(w);
            default -> throw unknown(w, offset);
        };
    }

    private static IllegalArgumentException unknown(long w, int offset) {
        return new IllegalArgumentException("unknown NFP instruction 0x" + Long.toHexString(w) + " at offset 0x" + Integer.toHexString(offset));
    }

    // ---- operands ----

    /** An unrestricted source field; {@code bank} names a GPR's bank. */
    static String ur(long v, char bank, boolean lmextn) {
        int x = (int) v;
        if ((x & UR_REG_IMM) == UR_REG_IMM) return hex(x & 0xff);
        if ((x & 0x380) == UR_REG_NN) return "n$reg_" + (x & 0x7f);
        if ((x & 0x380) == UR_REG_XFR) return "$xfer_" + (x & 0x7f);
        if ((x & 0x3c0) == UR_REG_LM) {
            int idx = ((x & UR_REG_LM_IDX) != 0 ? 1 : 0) | (lmextn ? 2 : 0);
            if ((x & UR_REG_LM_POST_MOD) != 0) return "*l$index" + idx + ((x & UR_REG_LM_POST_MOD_DEC) != 0 ? "--" : "++");
            return "*l$index" + idx + "[" + (x & UR_REG_LM_IDX_MAX) + "]";
        }
        if (x < NfpReg.GPRS) return bank + Integer.toString(x);
        return "r0x" + Integer.toHexString(x);
    }

    /** An unrestricted destination field. */
    static String urDst(long v, long dstAb, boolean wrBoth, boolean lmextn) {
        int x = (int) v;
        if (x == UR_REG_NO_DST) return "--";
        if (x < NfpReg.GPRS) return (wrBoth ? "ab" : dstAb != 0 ? "b" : "a") + x;
        return ur(v, 'a', lmextn);
    }

    /** A restricted source field; {@code i8} is bit 7 of an immediate. */
    static String re(long v, char bank, boolean i8, boolean lmextn) {
        int x = (int) v;
        if ((x & RE_REG_IMM) != 0) return hex((x & 0x1f) | ((x >>> 1) & 0x60) | (i8 ? 0x80 : 0));
        if ((x & 0xf0) == RE_REG_LM) return "*l$index" + (((x & RE_REG_LM_IDX) != 0 ? 1 : 0) | (lmextn ? 2 : 0)) + "[" + (x & RE_REG_LM_IDX_MAX) + "]";
        if ((x & 0xe0) == RE_REG_XFR) return "$xfer_" + (x & 0x1f);
        if (x < NfpReg.GPRS) return bank + Integer.toString(x);
        return "r0x" + Integer.toHexString(x);
    }

    static String reDst(long v, long dstAb, boolean wrBoth, boolean lmextn) {
        int x = (int) v;
        if (x == RE_REG_NO_DST) return "--";
        if (x < NfpReg.GPRS) return (wrBoth ? "ab" : dstAb != 0 ? "b" : "a") + x;
        return re(v, 'a', false, lmextn);
    }

    private static boolean isReImm(long v) {
        return (v & RE_REG_IMM) != 0;
    }

    private static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    private static String defer(long d) {
        return d == 0 ? "" : ", defer[" + d + "]";
    }

    // ---- forms ----

    private static String alu(long w) {
        AluOp op = AluOp.of((int) get(OP_ALU_OP, w));
        boolean sw = get(OP_ALU_SW, w) != 0, srcX = get(OP_ALU_SRC_LMEXTN, w) != 0;
        String a = ur(get(OP_ALU_A_SRC, w), 'a', srcX), b = ur(get(OP_ALU_B_SRC, w), 'b', srcX);
        String left = sw ? b : a, right = sw ? a : b;
        String dst = urDst(get(OP_ALU_DST, w), get(OP_ALU_DST_AB, w), get(OP_ALU_WR_AB, w) != 0, get(OP_ALU_DST_LMEXTN, w) != 0);
        String opText = op == null ? "op" + hex(get(OP_ALU_OP, w)) : op.mnemonic;
        if (op != null && op.ignoresA()) left = "--";
        return "alu[" + dst + ", " + left + ", " + opText + ", " + right + "]";
    }

    private static String shiftText(ShfSc sc, long field) {
        return switch (sc) {
            case R_ROT -> field == 0 ? "" : ", >>rot" + field;
            case R_SHF -> field == 0 ? ", >>indirect" : ", >>" + field;
            case L_SHF -> field == 0 ? ", <<indirect" : ", <<" + (32 - field);
            case R_DSHF -> field == 0 ? ", >>dbl_indirect" : ", >>dbl" + field;
        };
    }

    private static String shf(long w) {
        ShfOp op = ShfOp.of((int) get(OP_SHF_OP, w));
        ShfSc sc = ShfSc.of((int) get(OP_SHF_SC, w));
        boolean sw = get(OP_SHF_SW, w) != 0, i8 = get(OP_SHF_I8, w) != 0, srcX = get(OP_SHF_SRC_LMEXTN, w) != 0;
        String a = re(get(OP_SHF_A_SRC, w), 'a', i8, srcX), b = re(get(OP_SHF_B_SRC, w), 'b', i8, srcX);
        String left = sw ? b : a, right = sw ? a : b;
        // the plain and arithmetic shifts read only B (ASHR takes the sign from the previous ALU result)
        if ((op == ShfOp.NONE || op == ShfOp.ASHR) && sc != ShfSc.R_DSHF) left = "--";
        String dst = reDst(get(OP_SHF_DST, w), get(OP_SHF_DST_AB, w), get(OP_SHF_WR_AB, w) != 0, get(OP_SHF_DST_LMEXTN, w) != 0);
        return "alu_shf[" + dst + ", " + left + ", " + (op == null ? "op" + get(OP_SHF_OP, w) : op.mnemonic) + ", " + right
                + shiftText(sc, get(OP_SHF_SHIFT, w)) + "]";
    }

    private static String immed(long w) {
        if (w == nop()) return "nop";
        long a = get(OP_IMMED_A_SRC, w), b = get(OP_IMMED_B_SRC, w);
        boolean wrBoth = get(OP_IMMED_WR_AB, w) != 0, dstX = get(OP_IMMED_DST_LMEXTN, w) != 0;
        String dst;
        long low;
        if ((a & UR_REG_IMM) == UR_REG_IMM && (b & UR_REG_IMM) == UR_REG_IMM) {
            dst = "--";
            low = b & 0xff;
        } else if ((a & UR_REG_IMM) == UR_REG_IMM) {
            dst = urDst(b, 1, wrBoth, dstX);
            low = a & 0xff;
        } else {
            dst = urDst(a, 0, wrBoth, dstX);
            low = b & 0xff;
        }
        long value = low | get(OP_IMMED_IMM, w) << 8;
        long width = get(OP_IMMED_WIDTH, w), shift = get(OP_IMMED_SHIFT, w);
        String mn = width == 1 ? "immed_b" : width == 2 ? "immed_w" : "immed";
        return mn + "[" + dst + ", " + (get(OP_IMMED_INV, w) != 0 ? "~" : "") + hex(value) + (shift == 0 ? "" : ", <<" + shift * 8) + "]";
    }

    private static String ldField(long w) {
        ShfSc sc = ShfSc.of((int) get(OP_LDF_SC, w));
        boolean sw = get(OP_LDF_SW, w) != 0, i8 = get(OP_LDF_I8, w) != 0, srcX = get(OP_LDF_SRC_LMEXTN, w) != 0;
        boolean wrBoth = get(OP_LDF_WR_AB, w) != 0, dstX = get(OP_LDF_DST_LMEXTN, w) != 0;
        long a = get(OP_LDF_A_SRC, w), b = get(OP_LDF_B_SRC, w);
        // the destination is the left source: in A unless swapped
        String dst = sw ? reDst(b, 1, wrBoth, dstX) : reDst(a, 0, wrBoth, dstX);
        String src = sw ? re(a, 'a', i8, srcX) : re(b, 'b', i8, srcX);
        String mask = String.format("%4s", Long.toBinaryString(get(OP_LDF_BMASK, w))).replace(' ', '0');
        return (get(OP_LDF_ZF, w) != 0 ? "ld_field_w_clr[" : "ld_field[") + dst + ", " + mask + ", " + src
                + shiftText(sc, get(OP_LDF_SHF, w)) + "]";
    }

    private static long brTarget(long w) {
        return get(OP_BR_ADDR_LO, w) | get(OP_BR_ADDR_HI, w) << 13;
    }

    private static String br(long w) {
        BrMask m = BrMask.of((int) get(OP_BR_MASK, w));
        return (m == null ? "br_cc" + get(OP_BR_MASK, w) : m.mnemonic) + "[." + brTarget(w) + "]" + defer(get(OP_BR_DEFBR, w));
    }

    private static String brBit(long w) {
        long a = get(OP_BR_BIT_A_SRC, w), b = get(OP_BR_BIT_B_SRC, w);
        boolean x = get(OP_BR_BIT_SRC_LMEXTN, w) != 0;
        String src;
        long rot;
        if (isReImm(b)) {
            src = re(a, 'a', false, x);
            rot = (b & 0x1f) | ((b >>> 1) & 0x60);
        } else {
            src = re(b, 'b', false, x);
            rot = (a & 0x1f) | ((a >>> 1) & 0x60);
        }
        return (get(OP_BR_BIT_BV, w) != 0 ? "br_bset[" : "br_bclr[") + src + ", " + (rot - 1) + ", ." + brTarget(w) + "]" + defer(get(OP_BR_DEFBR, w));
    }

    private static String brByte(long w) {
        long a = get(OP_BB_A_SRC, w), b = get(OP_BB_B_SRC, w);
        boolean i8 = get(OP_BB_I8, w) != 0, x = get(OP_BB_SRC_LMEXTN, w) != 0;
        String src, val;
        if (isReImm(b)) {
            src = re(a, 'a', false, x);
            val = re(b, 'b', i8, x);
        } else {
            src = re(b, 'b', false, x);
            val = re(a, 'a', i8, x);
        }
        return (get(OP_BB_EQ, w) != 0 ? "br=byte[" : "br!=byte[") + src + ", " + get(OP_BB_BYTE, w) + ", " + val + ", ."
                + (get(OP_BB_ADDR_LO, w) | get(OP_BB_ADDR_HI, w) << 13) + "]" + defer(get(OP_BB_DEFBR, w));
    }

    private static String cmd(long w) {
        CmdTgt t = CmdTgt.of((int) get(OP_CMD_TOKEN, w), (int) get(OP_CMD_TGT_CMD, w));
        CmdMode mode = CmdMode.of((int) get(OP_CMD_MODE, w));
        String name = t == null ? "cmd_" + get(OP_CMD_TOKEN, w) + "_" + hex(get(OP_CMD_TGT_CMD, w)) : t.mnemonic;
        String ctx = switch ((int) get(OP_CMD_CTX, w)) {
            case 0 -> "ctx_swap";
            case 1 -> "ctx_swap, defer[1]";
            case 2 -> "ctx_swap, defer[2]";
            default -> get(OP_CMD_SIG, w) != 0 ? "sig_done" : "no_signal";
        };
        return "mem[" + name + ", $xfer_" + get(OP_CMD_XFER, w) + ", " + re(get(OP_CMD_A_SRC, w), 'a', false, false) + ", "
                + re(get(OP_CMD_B_SRC, w), 'b', false, false) + ", " + (get(OP_CMD_CNT, w) + 1)
                + (mode == CmdMode.A32 ? "" : ", " + (mode == null ? "mode" + get(OP_CMD_MODE, w) : mode.mnemonic)) + "], " + ctx
                + (get(OP_CMD_INDIR, w) != 0 ? ", indirect_ref" : "");
    }

    static String csrName(long addr) {
        return switch ((int) addr) {
            case NFP_CSR_CTX_PTR -> "CtxPtr";
            case NFP_CSR_ACT_LM_ADDR0 -> "ActLMAddr0";
            case NFP_CSR_ACT_LM_ADDR1 -> "ActLMAddr1";
            case NFP_CSR_ACT_LM_ADDR2 -> "ActLMAddr2";
            case NFP_CSR_ACT_LM_ADDR3 -> "ActLMAddr3";
            case NFP_CSR_PSEUDO_RND_NUM -> "PseudoRandNum";
            default -> hex(addr);
        };
    }

    private static String lcsr(long w) {
        String csr = csrName(get(OP_LCSR_ADDR, w) * 4);
        if (get(OP_LCSR_WRITE, w) == 0) return "local_csr_rd[" + csr + "]";
        long a = get(OP_LCSR_A_SRC, w), b = get(OP_LCSR_B_SRC, w);
        boolean x = get(OP_LCSR_SRC_LMEXTN, w) != 0;
        String src = (a & UR_REG_IMM) == UR_REG_IMM && (b & UR_REG_IMM) != UR_REG_IMM ? ur(b, 'b', x) : ur(a, 'a', x);
        return "local_csr_wr[" + csr + ", " + src + "]";
    }

    private static String mul(long w) {
        MulStep step = MulStep.of((int) get(OP_MUL_STEP, w));
        MulType type = MulType.values()[(int) get(OP_MUL_TYPE, w)];
        boolean sw = get(OP_MUL_SW, w) != 0, x = get(OP_MUL_SRC_LMEXTN, w) != 0;
        String kind = type == MulType.START ? "start"
                : type.name().substring(5) + "_" + (step == null ? "step" + get(OP_MUL_STEP, w) : step.name().toLowerCase());
        if (step == MulStep.LAST || step == MulStep.LAST_2) {
            return "mul_step[" + urDst(get(OP_MUL_A_SRC, w), get(OP_MUL_DST_AB, w), get(OP_MUL_WR_AB, w) != 0,
                    get(OP_MUL_DST_LMEXTN, w) != 0) + ", --], " + kind;
        }
        String a = ur(get(OP_MUL_A_SRC, w), 'a', x), b = ur(get(OP_MUL_B_SRC, w), 'b', x);
        return "mul_step[" + (sw ? b : a) + ", " + (sw ? a : b) + "], " + kind;
    }
}
