package org.obpf.offload.nfp.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.obpf.jit.nfp.NfpReg.a;
import static org.obpf.jit.nfp.NfpReg.b;
import static org.obpf.jit.nfp.NfpReg.both;
import static org.obpf.jit.nfp.NfpReg.imm;
import static org.obpf.jit.nfp.NfpReg.lm;
import static org.obpf.jit.nfp.NfpReg.none;

import org.junit.jupiter.api.Test;
import org.obpf.jit.nfp.NfpAsm;
import org.obpf.jit.nfp.NfpAsm.AluOp;
import org.obpf.jit.nfp.NfpAsm.BrMask;
import org.obpf.jit.nfp.NfpAsm.ImmedShift;
import org.obpf.jit.nfp.NfpAsm.ImmedWidth;
import org.obpf.jit.nfp.NfpAsm.MulStep;
import org.obpf.jit.nfp.NfpAsm.MulType;
import org.obpf.jit.nfp.NfpAsm.ShfOp;
import org.obpf.jit.nfp.NfpAsm.ShfSc;

/** The microengine's timing and semantics on words made by jit-nfp's encoder: defer slots, LM latency, indirect shifts, flags. */
class MicroengineTest {
    static final int END = 0x3f00;

    static Microengine me() {
        Firmware end = new Firmware() {
            @Override
            public boolean owns(int word) {
                return word >= END;
            }

            @Override
            public int call(int word, Microengine m) {
                return -1;
            }
        };
        return new Microengine(new byte[256], 0x10000, new byte[256], 0x10_0000_0000L, end, 1);
    }

    static Microengine run(long... words) {
        Microengine m = me();
        long[] w = new long[words.length];
        for (int i = 0; i < w.length; i++) w[i] = NfpAsm.withEcc(words[i]);
        m.load(0, w);
        m.run(0, 1000);
        return m;
    }

    static long immed(org.obpf.jit.nfp.NfpReg dst, int v) {
        return NfpAsm.immed(dst, v, ImmedWidth.ALL, false, ImmedShift.B0);
    }

    static long end() {
        return NfpAsm.br(BrMask.UNC, END, 0);
    }

    @Test
    void takenBranchesRunTheirDeferSlotsAndNoMore() {
        Microengine m = run(NfpAsm.br(BrMask.UNC, 5, 2), immed(both(1), 1), immed(both(2), 2), immed(both(3), 3), NfpAsm.nop(), end());
        assertEquals(1, m.a(1));
        assertEquals(2, m.a(2));
        assertEquals(0, m.a(3));
        assertEquals(4, m.instructions(), "the branch, two slots, the branch at the target");
        // not taken (1 - 1 = 0, so BNE falls through): the slots are just the next instructions
        m = run(immed(both(4), 1), NfpAsm.alu(none(), a(4), AluOp.SUB, imm(1)), NfpAsm.br(BrMask.BNE, 6, 1), immed(both(1), 1),
                immed(both(2), 2), end(), immed(both(3), 3), end());
        assertEquals(1, m.a(1));
        assertEquals(2, m.a(2));
        assertEquals(0, m.a(3));
    }

    @Test
    void lmAddressWritesTakeEffectAfterThreeInstructions() {
        Microengine m = me();
        long[] w = {immed(b(5), 0x40), NfpAsm.csrWr(b(5), NfpAsm.NFP_CSR_ACT_LM_ADDR3), NfpAsm.alu(both(6), none(), AluOp.NONE, lm(3, 0)),
                NfpAsm.nop(), NfpAsm.alu(both(7), none(), AluOp.NONE, lm(3, 0)), NfpAsm.alu(both(8), none(), AluOp.NONE, lm(3, 0)), end()};
        for (int i = 0; i < w.length; i++) w[i] = NfpAsm.withEcc(w[i]);
        m.load(0, w);
        m.setLmWord(0, 111);
        m.setLmWord(0x40, 222);
        m.run(0, 100);
        assertEquals(111, m.a(6), "first instruction after the write");
        assertEquals(111, m.a(7), "third");
        assertEquals(222, m.a(8), "fourth");
    }

    @Test
    void indirectShiftsTakeTheAmountFromThePreviousAluAOperand() {
        // a1:b2 = 0x12345678:0x9abcdef0; double shift right by 8 indirect, by 0, and by 32 (bit 5 set)
        long hi = immed(both(1), 0x5678), hi2 = NfpAsm.immed(both(1), 0x1234, ImmedWidth.WORD, false, ImmedShift.B2);
        long lo = immed(both(2), 0xdef0), lo2 = NfpAsm.immed(both(2), 0x9abc, ImmedWidth.WORD, false, ImmedShift.B2);
        for (int[] c : new int[][] {{8, 0x789abcde}, {0, 0x9abcdef0}, {32, 0x12345678}}) {
            Microengine m = run(hi, hi2, lo, lo2, immed(both(3), c[0]), NfpAsm.alu(none(), a(3), AluOp.OR, imm(0)),
                    NfpAsm.shfIndirect(both(4), a(1), ShfOp.NONE, b(2), ShfSc.R_DSHF), end());
            assertEquals(c[1], m.a(4), "by " + c[0]);
        }
        // ASHR fills with the sign of the previous ALU result
        Microengine m = run(NfpAsm.immed(both(1), 0x8000, ImmedWidth.ALL, false, ImmedShift.B2), NfpAsm.alu(none(), a(1), AluOp.OR, imm(0)),
                NfpAsm.shf(both(2), none(), ShfOp.ASHR, b(1), ShfSc.R_SHF, 4), end());
        assertEquals(0xf8000000, m.a(2));
    }

    @Test
    void subtractWithCarryComparesSixtyFourBits() {
        // 0x1_00000000 - 0x0_00000001: the low word borrows, the high word takes it: no borrow overall (BHS)
        Microengine m = run(immed(both(1), 0), immed(both(2), 1), immed(both(3), 1), immed(both(4), 0),
                NfpAsm.alu(none(), a(1), AluOp.SUB, b(3)), NfpAsm.alu(none(), a(2), AluOp.SUB_C, b(4)),
                NfpAsm.br(BrMask.BLO, 9, 0), immed(both(5), 1), end(), immed(both(5), 2), end());
        assertEquals(1, m.a(5));
    }

    @Test
    void multiplyStepsMustComeInOrder() {
        Microengine ok = run(immed(both(1), 0xffff), NfpAsm.immed(both(1), 0xffff, ImmedWidth.WORD, false, ImmedShift.B2), immed(both(2), 3),
                NfpAsm.mul(a(1), MulType.START, MulStep.NONE, b(2)), NfpAsm.mul(a(1), MulType.STEP_32x32, MulStep.STEP_1, b(2)),
                NfpAsm.mul(a(1), MulType.STEP_32x32, MulStep.STEP_2, b(2)), NfpAsm.mul(a(1), MulType.STEP_32x32, MulStep.STEP_3, b(2)),
                NfpAsm.mul(a(1), MulType.STEP_32x32, MulStep.STEP_4, b(2)), NfpAsm.mul(both(3), MulType.STEP_32x32, MulStep.LAST, none()),
                NfpAsm.mul(both(4), MulType.STEP_32x32, MulStep.LAST_2, none()), end());
        assertEquals(0xfffffffd, ok.a(3));
        assertEquals(2, ok.a(4));
        SimFault f = assertThrows(SimFault.class, () -> run(immed(both(2), 3), NfpAsm.mul(a(1), MulType.START, MulStep.NONE, b(2)),
                NfpAsm.mul(a(1), MulType.STEP_32x32, MulStep.STEP_2, b(2)), end()));
        assertTrue(f.getMessage().contains("out of sequence"), f.getMessage());
    }

    @Test
    void unknownWordsAndRunawayProgramsAreReportedByWord() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> me().load(0, new long[] {NfpAsm.withEcc(0x0e000000000L)}));
        assertTrue(e.getMessage().startsWith("word 0 (code store word 0): instruction 0xe000000000"), e.getMessage());
        Microengine m = me();
        m.load(0, new long[] {NfpAsm.withEcc(NfpAsm.br(BrMask.UNC, 0, 0))});
        SimFault f = assertThrows(SimFault.class, () -> m.run(0, 50));
        assertEquals("instruction limit of 50 reached at code-store word 0", f.getMessage());
        assertEquals("control reached code-store word 7, which holds no loaded code",
                assertThrows(SimFault.class, () -> me().run(7, 10)).getMessage());
    }
}
