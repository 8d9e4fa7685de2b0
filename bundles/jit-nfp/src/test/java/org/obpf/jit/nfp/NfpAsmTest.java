package org.obpf.jit.nfp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.obpf.jit.nfp.NfpReg.a;
import static org.obpf.jit.nfp.NfpReg.b;
import static org.obpf.jit.nfp.NfpReg.both;
import static org.obpf.jit.nfp.NfpReg.imm;
import static org.obpf.jit.nfp.NfpReg.lm;
import static org.obpf.jit.nfp.NfpReg.none;
import static org.obpf.jit.nfp.NfpReg.xfer;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.obpf.jit.nfp.NfpAsm.AluOp;
import org.obpf.jit.nfp.NfpAsm.BrMask;
import org.obpf.jit.nfp.NfpAsm.CmdCtx;
import org.obpf.jit.nfp.NfpAsm.CmdMode;
import org.obpf.jit.nfp.NfpAsm.CmdTgt;
import org.obpf.jit.nfp.NfpAsm.ImmedShift;
import org.obpf.jit.nfp.NfpAsm.ImmedWidth;
import org.obpf.jit.nfp.NfpAsm.MulStep;
import org.obpf.jit.nfp.NfpAsm.MulType;
import org.obpf.jit.nfp.NfpAsm.ShfOp;
import org.obpf.jit.nfp.NfpAsm.ShfSc;

/**
 * Every instruction form against an encoding table written here from the published field
 * definitions ({@code nfp_asm.h}): each encoded word is decoded field by field with these masks
 * (not the encoder's constants) and every field is checked, and no bit may lie outside the form's
 * fields. Known words are the kernel's emitter expressions evaluated by hand (FIELD_PREP of the
 * same arguments), for instructions the kernel's translator emits.
 */
class NfpAsmTest {

    /** One form: its opcode bits (value under mask) and its named fields. */
    record Form(String name, long base, long baseMask, Map<String, Long> fields) {
        Map<String, Long> decode(long word) {
            assertEquals(base, word & baseMask, () -> name + ": opcode bits of 0x" + Long.toHexString(word));
            long covered = baseMask;
            Map<String, Long> out = new LinkedHashMap<>();
            for (var f : fields.entrySet()) {
                long m = f.getValue();
                out.put(f.getKey(), (word & m) >>> Long.numberOfTrailingZeros(m));
                covered |= m;
            }
            assertEquals(0, word & ~covered, () -> name + ": bits outside every field in 0x" + Long.toHexString(word));
            return out;
        }
    }

    static Map<String, Long> fields(Object... kv) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], (Long) kv[i + 1]);
        return m;
    }

    // The table: nfp_asm.h's masks, copied as data. Base masks are the opcode bits not covered by a field.
    static final Form ALU = new Form("alu", 0x0a000000000L, 0x0e000000000L, fields(
            "A_SRC", 0x000000003ffL, "B_SRC", 0x000000ffc00L, "DST", 0x0003ff00000L, "SW", 0x00040000000L,
            "OP", 0x00f80000000L, "DST_AB", 0x01000000000L, "WR_AB", 0x20000000000L,
            "SRC_LMEXTN", 0x40000000000L, "DST_LMEXTN", 0x80000000000L));
    static final Form SHF = new Form("shf", 0x08000000000L, 0x0e000000000L, fields(
            "A_SRC", 0x000000000ffL, "SC", 0x00000000300L, "B_SRC", 0x0000003fc00L, "I8", 0x00000040000L,
            "SW", 0x00000080000L, "DST", 0x0000ff00000L, "SHIFT", 0x001f0000000L, "OP", 0x00e00000000L,
            "DST_AB", 0x01000000000L, "WR_AB", 0x20000000000L, "SRC_LMEXTN", 0x40000000000L, "DST_LMEXTN", 0x80000000000L));
    static final Form IMMED = new Form("immed", 0x0f000000000L, 0x0f800000000L, fields(
            "A_SRC", 0x000000003ffL, "B_SRC", 0x000000ffc00L, "IMM", 0x0000ff00000L, "WIDTH", 0x00060000000L,
            "INV", 0x00080000000L, "SHIFT", 0x00600000000L, "WR_AB", 0x20000000000L,
            "SRC_LMEXTN", 0x40000000000L, "DST_LMEXTN", 0x80000000000L));
    static final Form LDF = new Form("ld_field", 0x0c000000000L, 0x0f800000000L | 0x00e00000000L, fields(
            "A_SRC", 0x000000000ffL, "SC", 0x00000000300L, "B_SRC", 0x0000003fc00L, "I8", 0x00000040000L,
            "SW", 0x00000080000L, "ZF", 0x00000100000L, "BMASK", 0x0000f000000L, "SHF", 0x001f0000000L,
            "WR_AB", 0x20000000000L, "SRC_LMEXTN", 0x40000000000L, "DST_LMEXTN", 0x80000000000L));
    static final Form BR = new Form("br", 0x0d800000020L, 0x0f8000c3ce0L, fields(
            "MASK", 0x0000000001fL, "EV_PIP", 0x00000000300L, "CSS", 0x0000003c000L, "DEFBR", 0x00000300000L,
            "ADDR_LO", 0x007ffc00000L, "ADDR_HI", 0x10000000000L));
    static final Form BR_BIT = new Form("br_bit", 0x0d000000000L, 0x0f800080300L, fields(
            "A_SRC", 0x000000000ffL, "B_SRC", 0x0000003fc00L, "BV", 0x00000040000L, "DEFBR", 0x00000300000L,
            "ADDR_LO", 0x007ffc00000L, "ADDR_HI", 0x10000000000L, "SRC_LMEXTN", 0x40000000000L));
    static final Form BR_BYTE = new Form("br_byte", 0x0c800000000L, 0x0f800000000L, fields(
            "A_SRC", 0x000000000ffL, "BYTE", 0x00000000300L, "B_SRC", 0x0000003fc00L, "I8", 0x00000040000L,
            "EQ", 0x00000080000L, "DEFBR", 0x00000300000L, "ADDR_LO", 0x007ffc00000L, "ADDR_HI", 0x10000000000L,
            "SRC_LMEXTN", 0x40000000000L));
    static final Form BR_ALU = new Form("br_alu", 0x0e800000000L, 0x0ff80000000L, fields(
            "A_SRC", 0x000000003ffL, "B_SRC", 0x000000ffc00L, "DEFBR", 0x00000300000L, "IMM_HI", 0x0007fc00000L,
            "SRC_LMEXTN", 0x40000000000L, "DST_LMEXTN", 0x80000000000L));
    static final Form CMD = new Form("cmd", 0L, 0x08000000000L, fields(
            "A_SRC", 0x000000000ffL, "CTX", 0x00000000300L, "B_SRC", 0x0000003fc00L, "TOKEN", 0x000000c0000L,
            "XFER", 0x00001f00000L, "CNT", 0x0000e000000L, "SIG", 0x000f0000000L, "TGT_CMD", 0x07f00000000L,
            "INDIR", 0x20000000000L, "MODE", 0x1c0000000000L));
    static final Form LCSR = new Form("local_csr", 0x0fc00000000L, 0x0fc00000000L, fields(
            "A_SRC", 0x000000003ffL, "B_SRC", 0x000000ffc00L, "WRITE", 0x00000200000L, "ADDR", 0x001ffc00000L,
            "SRC_LMEXTN", 0x40000000000L, "DST_LMEXTN", 0x80000000000L));
    static final Form MUL = new Form("mul", 0x0f800000000L, 0x0fc00000000L, fields(
            "A_SRC", 0x000000003ffL, "B_SRC", 0x000000ffc00L, "STEP", 0x00000700000L, "DST_AB", 0x00000800000L,
            "SW", 0x00040000000L, "TYPE", 0x00180000000L, "WR_AB", 0x20000000000L,
            "SRC_LMEXTN", 0x40000000000L, "DST_LMEXTN", 0x80000000000L));

    static void check(Form f, long word, Object... expected) {
        Map<String, Long> got = f.decode(word);
        for (int i = 0; i < expected.length; i += 2) {
            String field = (String) expected[i];
            long want = ((Number) expected[i + 1]).longValue();
            assertTrue(got.containsKey(field), f.name() + " has no field " + field);
            assertEquals(want, got.get(field), f.name() + "." + field + " of 0x" + Long.toHexString(word));
        }
        // fields not named in expected must be zero
        for (var e : got.entrySet()) {
            boolean named = false;
            for (int i = 0; i < expected.length; i += 2) named |= expected[i].equals(e.getKey());
            if (!named) assertEquals(0L, e.getValue(), f.name() + "." + e.getKey() + " should be 0 in 0x" + Long.toHexString(word));
        }
    }

    // restricted immediate encoding, written from RE_REG_IMM_encode
    static int reImm(int x) {
        return 0x20 | (x & 0x1f) | ((x & 0x60) << 1);
    }

    @Test
    void aluEveryOpAndRegisterPairWithBothOperandOrders() {
        int n = 0;
        for (AluOp op : AluOp.values()) {
            for (int d = 0; d < 32; d += 5) {
                for (int s = 0; s < 32; s += 7) {
                    // A-bank left, B-bank right: no swap
                    check(ALU, NfpAsm.alu(both(d), a(s), op, b(31 - s)), "A_SRC", s, "B_SRC", 31 - s, "DST", d, "OP", op.code, "WR_AB", 1);
                    // B-bank left: the operands change fields and SW is set
                    check(ALU, NfpAsm.alu(b(d), b(s), op, a(31 - s)), "A_SRC", 31 - s, "B_SRC", s, "DST", d, "OP", op.code, "SW", 1, "DST_AB", 1);
                    n += 2;
                }
            }
        }
        assertEquals(AluOp.values().length * 7 * 5 * 2, n);
    }

    @Test
    void aluUnrestrictedOperandKinds() {
        for (int v = 0; v <= 0xff; v += 17) {
            check(ALU, NfpAsm.alu(a(3), none(), AluOp.NONE, imm(v)), "B_SRC", 0x300 | v, "DST", 3);
            check(ALU, NfpAsm.alu(a(3), imm(v), AluOp.SUB, b(4)), "A_SRC", 0x300 | v, "B_SRC", 4, "DST", 3, "OP", 0x15);
        }
        for (int x = 0; x < 16; x++) {
            check(ALU, NfpAsm.alu(xfer(x), none(), AluOp.NONE, b(x)), "B_SRC", x, "DST", 0x180 | x);
            check(ALU, NfpAsm.alu(both(1), xfer(x), AluOp.ADD, b(2)), "A_SRC", 0x180 | x, "B_SRC", 2, "DST", 1, "OP", 1, "WR_AB", 1);
            check(ALU, NfpAsm.alu(both(1), NfpReg.nnr(x), AluOp.ADD, b(2)), "A_SRC", 0x280 | x, "B_SRC", 2, "DST", 1, "OP", 1, "WR_AB", 1);
        }
        for (int id = 0; id < 4; id++) {
            for (int off = 0; off < 16; off++) {
                long lmField = 0x200 | (id & 1) << 5 | off;
                check(ALU, NfpAsm.alu(lm(id, off), none(), AluOp.NONE, b(5)), "B_SRC", 5, "DST", lmField, "DST_LMEXTN", id >> 1);
                check(ALU, NfpAsm.alu(both(7), lm(id, off), AluOp.OR, b(5)), "A_SRC", lmField, "B_SRC", 5, "DST", 7, "OP", 0x14, "WR_AB", 1, "SRC_LMEXTN", id >> 1);
            }
            check(ALU, NfpAsm.alu(both(0), NfpReg.lmInc(id), AluOp.NONE, b(0)),
                    "A_SRC", 0x200 | 0x10 | (id & 1) << 5, "DST", 0, "WR_AB", 1, "SRC_LMEXTN", id >> 1);
            check(ALU, NfpAsm.alu(both(0), NfpReg.lmDec(id), AluOp.NONE, b(0)),
                    "A_SRC", 0x200 | 0x10 | (id & 1) << 5 | 1, "DST", 0, "WR_AB", 1, "SRC_LMEXTN", id >> 1);
        }
        // no destination
        check(ALU, NfpAsm.alu(none(), a(9), AluOp.SUB, b(9)), "A_SRC", 9, "B_SRC", 9, "DST", 0x300, "OP", 0x15);
    }

    @Test
    void shfEveryClassOpAndShiftAmount() {
        for (ShfSc sc : ShfSc.values()) {
            for (ShfOp op : ShfOp.values()) {
                for (int sh = 1; sh < 32; sh++) {
                    long want = sc == ShfSc.L_SHF ? 32 - sh : sh;
                    check(SHF, NfpAsm.shf(both(4), a(5), op, b(6), sc, sh),
                            "A_SRC", 5, "SC", sc.code, "B_SRC", 6, "DST", 4, "SHIFT", want, "OP", op.code, "WR_AB", 1);
                }
            }
        }
        // 8-bit restricted immediate: bit 7 goes to I8, bits 5..6 move up one
        for (int v = 0; v <= 0xff; v++) {
            long w = NfpAsm.shf(b(2), imm(v), ShfOp.AND, b(3), ShfSc.R_SHF, 4);
            check(SHF, w, "A_SRC", reImm(v & 0x7f), "SC", 1, "B_SRC", 3, "I8", v >> 7, "DST", 2, "SHIFT", 4, "OP", 2, "DST_AB", 1);
        }
        // restricted LM and transfer registers, swap
        check(SHF, NfpAsm.shf(a(1), b(2), ShfOp.OR, lm(3, 7), ShfSc.L_SHF, 8),
                "A_SRC", 0x50 | 0x8 | 7, "SC", 2, "B_SRC", 2, "SW", 1, "DST", 1, "SHIFT", 24, "OP", 5, "SRC_LMEXTN", 1);
        check(SHF, NfpAsm.shf(both(0), none(), ShfOp.NONE, xfer(3), ShfSc.R_SHF, 16),
                "A_SRC", 0, "SC", 1, "B_SRC", 0x80 | 3, "DST", 0, "SHIFT", 16, "WR_AB", 1);
        check(SHF, NfpAsm.shfIndirect(both(2), a(3), ShfOp.NONE, b(2), ShfSc.R_DSHF), "A_SRC", 3, "SC", 3, "B_SRC", 2, "DST", 2, "WR_AB", 1);
        // restricted no-destination
        check(SHF, NfpAsm.shf(none(), a(3), ShfOp.NONE, b(2), ShfSc.R_ROT, 1), "A_SRC", 3, "B_SRC", 2, "DST", 0x20, "SHIFT", 1);
    }

    @Test
    void immedWidthsShiftsInversionAndDestinations() {
        for (int v = 0; v <= 0xffff; v += 0x1111) {
            for (ImmedWidth w : ImmedWidth.values()) {
                for (ImmedShift s : ImmedShift.values()) {
                    check(IMMED, NfpAsm.immed(both(9), v, w, true, s),
                            "A_SRC", 9, "B_SRC", 0x300 | (v & 0xff), "IMM", v >> 8, "WIDTH", w.ordinal(), "INV", 1, "SHIFT", s.ordinal(), "WR_AB", 1);
                }
            }
            // a B-bank destination swaps: the immediate goes to A
            check(IMMED, NfpAsm.immed(b(22), v, ImmedWidth.ALL, false, ImmedShift.B0), "A_SRC", 0x300 | (v & 0xff), "B_SRC", 22, "IMM", v >> 8);
            check(IMMED, NfpAsm.immed(a(22), v, ImmedWidth.ALL, false, ImmedShift.B0), "A_SRC", 22, "B_SRC", 0x300 | (v & 0xff), "IMM", v >> 8);
            check(IMMED, NfpAsm.immed(xfer(1), v, ImmedWidth.ALL, false, ImmedShift.B0), "A_SRC", 0x181, "B_SRC", 0x300 | (v & 0xff), "IMM", v >> 8);
            // no destination: "no dst" in A
            check(IMMED, NfpAsm.immed(none(), v, ImmedWidth.ALL, false, ImmedShift.B0), "A_SRC", 0x300, "B_SRC", 0x300 | (v & 0xff), "IMM", v >> 8);
        }
        check(IMMED, NfpAsm.nop(), "A_SRC", 0x300, "B_SRC", 0x300);
    }

    @Test
    void ldFieldMasksShiftsAndZeroFill() {
        for (int mask = 0; mask < 16; mask++) {
            for (ShfSc sc : ShfSc.values()) {
                for (int sh = 0; sh < 32; sh += 8) {
                    check(LDF, NfpAsm.ldField(both(3), mask, b(4), sc, sh, sh == 8),
                            "A_SRC", 3, "SC", sc.code, "B_SRC", 4, "ZF", sh == 8 ? 1 : 0, "BMASK", mask, "SHF", sh, "WR_AB", 1);
                }
            }
        }
        // ld_field's destination is also its A source: a B destination swaps
        check(LDF, NfpAsm.ldField(b(2), 0x3, a(6), ShfSc.R_ROT, 0, false), "A_SRC", 6, "B_SRC", 2, "SW", 1, "BMASK", 3);
        check(LDF, NfpAsm.ldField(both(0), 0xf, xfer(2), ShfSc.R_ROT, 0, true), "A_SRC", 0, "B_SRC", 0x82, "ZF", 1, "BMASK", 0xf, "WR_AB", 1);
        check(LDF, NfpAsm.ldField(lm(1, 2), 0x1, b(4), ShfSc.R_ROT, 0, false), "A_SRC", 0x5a, "B_SRC", 4, "BMASK", 1);
    }

    @Test
    void branchesEveryConditionDeferAndAddressRange() {
        for (BrMask m : BrMask.values()) {
            for (int defer = 0; defer <= 2; defer++) {
                for (int addr : new int[] {0, 1, 0x1fff, 0x2000, 0x2345, 0x3fff}) {
                    check(BR, NfpAsm.br(m, addr, defer), "MASK", m.code, "EV_PIP", m == BrMask.UNC ? 0 : 1, "CSS", 2,
                            "DEFBR", defer, "ADDR_LO", addr & 0x1fff, "ADDR_HI", addr >> 13);
                }
            }
        }
        assertThrows(IllegalArgumentException.class, () -> NfpAsm.br(BrMask.UNC, 0x4000, 0));
        assertThrows(IllegalArgumentException.class, () -> NfpAsm.br(BrMask.UNC, 1, 3));
        for (int bit = 0; bit < 32; bit++) {
            check(BR_BIT, NfpAsm.brBit(a(6), bit, 0x2001, 1, true), "A_SRC", 6, "B_SRC", reImm(bit + 1), "BV", 1, "DEFBR", 1, "ADDR_LO", 1, "ADDR_HI", 1);
            check(BR_BIT, NfpAsm.brBit(b(6), bit, 17, 0, false), "A_SRC", reImm(bit + 1), "B_SRC", 6, "ADDR_LO", 17);
        }
        for (int byteIdx = 0; byteIdx < 4; byteIdx++) {
            for (int v = 0; v < 256; v += 51) {
                check(BR_BYTE, NfpAsm.brByte(a(2), byteIdx, v, byteIdx % 2 == 0, 99, 2),
                        "A_SRC", 2, "BYTE", byteIdx, "B_SRC", reImm(v & 0x7f), "I8", v >> 7, "EQ", byteIdx % 2 == 0 ? 1 : 0, "DEFBR", 2, "ADDR_LO", 99);
            }
        }
        check(BR_ALU, NfpAsm.brAlu(b(0), 2), "A_SRC", 0x300, "B_SRC", 0, "DEFBR", 2);
        check(BR_ALU, NfpAsm.brAlu(a(4), 0), "A_SRC", 4, "B_SRC", 0x300);
    }

    @Test
    void memoryCommandsEveryTargetModeAndContext() {
        for (CmdTgt t : CmdTgt.values()) {
            for (CmdMode mode : CmdMode.values()) {
                for (CmdCtx ctx : CmdCtx.values()) {
                    for (int size = 0; size < 8; size += 3) {
                        check(CMD, NfpAsm.cmd(t, mode, size * 2, a(4), imm(0x10 + size), size, ctx, size == 6),
                                "A_SRC", 4, "CTX", ctx.ordinal(), "B_SRC", reImm(0x10 + size), "TOKEN", t.token, "XFER", size * 2,
                                "CNT", size, "SIG", ctx != CmdCtx.NO_SWAP ? 1 : 0, "TGT_CMD", t.tgtCmd, "INDIR", size == 6 ? 1 : 0, "MODE", mode.code);
                    }
                }
            }
        }
        // 40-bit address from an A and a B register; LM ponters and swaps are refused
        check(CMD, NfpAsm.cmd(CmdTgt.READ32_SWAP, CmdMode.A40_BA, 0, a(20), b(21), 1, CmdCtx.SWAP, false),
                "A_SRC", 20, "B_SRC", 21, "TOKEN", 2, "CNT", 1, "SIG", 1, "TGT_CMD", 0x5c, "MODE", 1);
        assertEquals("cmd can't swap arguments", assertThrows(IllegalArgumentException.class,
                () -> NfpAsm.cmd(CmdTgt.READ8, CmdMode.A32, 0, b(1), a(2), 0, CmdCtx.SWAP, false)).getMessage());
        assertEquals("cmd can't use LMextn", assertThrows(IllegalArgumentException.class,
                () -> NfpAsm.cmd(CmdTgt.READ8, CmdMode.A32, 0, lm(3, 0), b(2), 0, CmdCtx.SWAP, false)).getMessage());
    }

    @Test
    void localCsrReadsAndWrites() {
        for (int csr : new int[] {NfpAsm.NFP_CSR_ACT_LM_ADDR0, NfpAsm.NFP_CSR_ACT_LM_ADDR1, NfpAsm.NFP_CSR_ACT_LM_ADDR2,
                NfpAsm.NFP_CSR_ACT_LM_ADDR3, NfpAsm.NFP_CSR_PSEUDO_RND_NUM, NfpAsm.NFP_CSR_CTX_PTR}) {
            check(LCSR, NfpAsm.csrRd(csr), "ADDR", csr / 4);
            // a B register: swapped, the unused operand is immediate 0
            check(LCSR, NfpAsm.csrWr(b(4), csr), "A_SRC", 0x300, "B_SRC", 4, "WRITE", 1, "ADDR", csr / 4);
            check(LCSR, NfpAsm.csrWr(a(22), csr), "A_SRC", 22, "B_SRC", 0x300, "WRITE", 1, "ADDR", csr / 4);
            // an immediate goes to both operands
            check(LCSR, NfpAsm.csrWr(imm(0x42), csr), "A_SRC", 0x342, "B_SRC", 0x342, "WRITE", 1, "ADDR", csr / 4);
        }
        assertThrows(IllegalArgumentException.class, () -> NfpAsm.csrRd(0x65));
    }

    @Test
    void multiplySteps() {
        for (MulType t : MulType.values()) {
            for (MulStep s : new MulStep[] {MulStep.STEP_1, MulStep.STEP_2, MulStep.STEP_3, MulStep.STEP_4}) {
                if (t == MulType.START && s != MulStep.NONE) {
                    assertThrows(IllegalArgumentException.class, () -> NfpAsm.mul(a(4), t, s, b(6)));
                    continue;
                }
                check(MUL, NfpAsm.mul(a(4), t, s, b(6)), "A_SRC", 4, "B_SRC", 6, "STEP", s.code, "TYPE", t.ordinal());
                check(MUL, NfpAsm.mul(a(4), t, s, imm(0x99)), "A_SRC", 4, "B_SRC", 0x399, "STEP", s.code, "TYPE", t.ordinal());
            }
        }
        // LAST steps: the left operand is the destination
        check(MUL, NfpAsm.mul(both(4), MulType.STEP_32x32, MulStep.LAST, none()), "A_SRC", 4, "STEP", 4, "TYPE", 3, "WR_AB", 1);
        check(MUL, NfpAsm.mul(b(5), MulType.STEP_16x16, MulStep.LAST_2, none()), "A_SRC", 5, "STEP", 5, "TYPE", 2, "DST_AB", 1);
    }

    @Test
    void operandErrorsNameTheProblem() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> NfpAsm.alu(both(0), a(1), AluOp.ADD, a(2))).getMessage()
                .contains("one must come from each of the A and B operand fields"));
        assertEquals("immediate destination 0x1", assertThrows(IllegalArgumentException.class,
                () -> NfpAsm.alu(imm(1), a(1), AluOp.ADD, b(2))).getMessage());
        assertEquals("immediate too large: 0x100", assertThrows(IllegalArgumentException.class,
                () -> NfpAsm.alu(both(0), a(1), AluOp.ADD, imm(0x100))).getMessage());
        assertEquals("immediate too large: 0x80", assertThrows(IllegalArgumentException.class,
                () -> NfpAsm.cmd(CmdTgt.READ8, CmdMode.A32, 0, a(1), imm(0x80), 0, CmdCtx.SWAP, false)).getMessage());
        assertEquals("NNRs used with restricted encoding", assertThrows(IllegalArgumentException.class,
                () -> NfpAsm.shf(both(0), NfpReg.nnr(1), ShfOp.NONE, b(2), ShfSc.R_SHF, 1)).getMessage());
        assertEquals("LM offset too large: 8", assertThrows(IllegalArgumentException.class,
                () -> NfpAsm.ldField(lm(0, 8), 1, b(2), ShfSc.R_ROT, 0, false)).getMessage());
        assertEquals("LM offset too large: 16", assertThrows(IllegalArgumentException.class,
                () -> NfpAsm.alu(lm(0, 16), none(), AluOp.NONE, b(2))).getMessage());
        assertThrows(IllegalArgumentException.class, () -> NfpAsm.shfIndirect(both(0), a(1), ShfOp.NONE, b(2), ShfSc.R_ROT));
        assertThrows(IllegalArgumentException.class, () -> a(32));
    }

    @Test
    void knownWordsOfTheKernelsEmitters() {
        assertEquals(0x0f0000c0300L, NfpAsm.nop());                                                          // emit_nop
        assertEquals(0x0d801408038L, NfpAsm.br(BrMask.UNC, 5, 0));                                          // emit_br(BR_UNC, 5, 0)
        assertEquals(0x1d8d1608125L, NfpAsm.br(BrMask.BLO, 0x2345, 2));                                     // emit_br(BR_BLO, 0x2345, 2)
        assertEquals(0x2a080401804L, NfpAsm.alu(both(4), a(4), AluOp.ADD, b(6)));                           // add_reg64 low half, r2 += r3
        assertEquals(0x0a0000c0000L, NfpAsm.alu(a(0), none(), AluOp.NONE, imm(0)));                         // wrp_mov(reg_a(0), NFP_BPF_ABI_FLAGS)
        assertEquals(0x081d0100200L, NfpAsm.shf(a(1), none(), ShfOp.NONE, b(0), ShfSc.L_SHF, 3));           // XDP outro: a1 = b0 << 3
        assertEquals(0x094002409ffL, NfpAsm.shf(b(2), imm(0xff), ShfOp.AND, b(2), ShfSc.R_SHF, 0));         // XDP outro: indirect shift
        assertEquals(0x2f0012cd003L, NfpAsm.immed(both(3), 0x1234, ImmedWidth.ALL, false, ImmedShift.B0));  // wrp_immed(reg_both(3), 0x1234)
        assertEquals(0x0f003f05bffL, NfpAsm.immed(b(22), 0x3fff, ImmedWidth.ALL, false, ImmedShift.B0));    // nfp_intro: plen = 0x3fff
        assertEquals(0x0c10c048a00L, NfpAsm.ldField(a(0), 0xc, imm(0x82), ShfSc.L_SHF, 16, false));         // XDP abort code
        assertEquals(0x105c1008c004L, NfpAsm.cmd(CmdTgt.READ32_SWAP, CmdMode.A32, 0, a(4), imm(0x10), 0, CmdCtx.SWAP, false));
        assertEquals(0x0fc14800000L, NfpAsm.csrRd(NfpAsm.NFP_CSR_PSEUDO_RND_NUM));                          // bpf_get_prandom_u32
        assertEquals(0x0fc06601300L, NfpAsm.csrWr(b(4), NfpAsm.NFP_CSR_ACT_LM_ADDR0));                      // map call: LM0 = key
        assertEquals(0x0d001c49806L, NfpAsm.brBit(a(6), 5, 7, 0, true));                                     // shift >= 32 test
        assertEquals(0x0f800001804L, NfpAsm.mul(a(4), MulType.START, MulStep.NONE, b(6)));
        assertEquals(0x2f980400004L, NfpAsm.mul(both(4), MulType.STEP_32x32, MulStep.LAST, none()));
    }

    @Test
    void eccAsTheKernelComputesIt() {
        assertEquals(0x0f0000c0300L, NfpAsm.withEcc(0x0f0000c0300L));
        assertEquals(0x560d801408038L, NfpAsm.withEcc(0x0d801408038L));
        assertEquals(0xa02a080401804L, NfpAsm.withEcc(0x2a080401804L));
        assertEquals(0xbf05c1008c004L, NfpAsm.withEcc(0x105c1008c004L));
        assertThrows(IllegalArgumentException.class, () -> NfpAsm.withEcc(1L << 50));
        assertFalse(NfpAsm.validNoEcc(NfpAsm.withRelo(NfpAsm.nop(), NfpAsm.Relo.BR_REL)));
    }

    @Test
    void branchAndImmediateRelocationHelpers() {
        long br = NfpAsm.br(BrMask.BNE, 100, 0);
        assertTrue(NfpAsm.isBr(br));
        assertTrue(NfpAsm.isBr(NfpAsm.brBit(a(1), 3, 4, 0, false)));
        assertFalse(NfpAsm.isBr(NfpAsm.nop()));
        assertEquals(100, NfpAsm.brGetOffset(br));
        assertEquals(0x2064, NfpAsm.brGetOffset(NfpAsm.brAddOffset(br, 0x2000)));
        assertEquals(NfpAsm.br(BrMask.BNE, 0x2064, 0), NfpAsm.brAddOffset(br, 0x2000));
        assertEquals(NfpAsm.br(BrMask.BNE, 7, 0), NfpAsm.brSetOffset(br, 7));
        long im = NfpAsm.immed(b(0), 0x1234, ImmedWidth.ALL, false, ImmedShift.B0);
        assertEquals(0x1234, NfpAsm.immedGetValue(im));
        assertEquals(NfpAsm.immed(b(0), 0x1334, ImmedWidth.ALL, false, ImmedShift.B0), NfpAsm.immedAddValue(im, 0x100));
        long ima = NfpAsm.immed(both(5), 0xab, ImmedWidth.ALL, false, ImmedShift.B0);
        assertEquals(NfpAsm.immed(both(5), 0x4ab, ImmedWidth.ALL, false, ImmedShift.B0), NfpAsm.immedSetValue(ima, 0x4ab));
        assertThrows(IllegalArgumentException.class,
                () -> NfpAsm.immedSetValue(NfpAsm.immed(both(5), 1, ImmedWidth.WORD, false, ImmedShift.B2), 2));
        long r = NfpAsm.withRelo(br, NfpAsm.Relo.BR_HELPER);
        assertEquals(NfpAsm.Relo.BR_HELPER, NfpAsm.relo(r));
        assertEquals(br, r & ~NfpAsm.OP_RELO_TYPE);
    }
}
