package org.obpf.jit.nfp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.obpf.jit.nfp.NfpReg.a;
import static org.obpf.jit.nfp.NfpReg.b;
import static org.obpf.jit.nfp.NfpReg.both;
import static org.obpf.jit.nfp.NfpReg.imm;
import static org.obpf.jit.nfp.NfpReg.lm;
import static org.obpf.jit.nfp.NfpReg.none;
import static org.obpf.jit.nfp.NfpReg.xfer;

import java.util.List;
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
import org.obpf.jit.nfp.NfpAsm.Relo;
import org.obpf.jit.nfp.NfpAsm.ShfOp;
import org.obpf.jit.nfp.NfpAsm.ShfSc;

/** Encode, disassemble, compare with the expected text: form by form, for the operands the translator uses. */
class NfpDisassemblerTest {

    static void rt(long word, String text) {
        assertEquals(text, NfpDisassembler.decode(word, 0), () -> "0x" + Long.toHexString(word));
    }

    @Test
    void alu() {
        rt(NfpAsm.alu(both(4), a(4), AluOp.ADD, b(6)), "alu[ab4, a4, +, b6]");
        rt(NfpAsm.alu(both(5), a(5), AluOp.ADD_C, b(7)), "alu[ab5, a5, +carry, b7]");
        rt(NfpAsm.alu(both(4), imm(0), AluOp.SUB, b(4)), "alu[ab4, 0x0, -, b4]");
        rt(NfpAsm.alu(none(), a(7), AluOp.SUB_C, imm(0x12)), "alu[--, a7, -carry, 0x12]");
        rt(NfpAsm.alu(b(22), b(22), AluOp.AND, lm(1, 0)), "alu[b22, b22, AND, *l$index1[0]]");
        rt(NfpAsm.alu(a(0), none(), AluOp.NONE, imm(0)), "alu[a0, --, B, 0x0]");
        rt(NfpAsm.alu(both(2), none(), AluOp.NOT, b(2)), "alu[ab2, --, ~B, b2]");
        rt(NfpAsm.alu(xfer(1), none(), AluOp.NONE, b(3)), "alu[$xfer_1, --, B, b3]");
        rt(NfpAsm.alu(both(0), NfpReg.lmInc(3), AluOp.NONE, b(0)), "alu[ab0, --, B, b0]");
        rt(NfpAsm.alu(both(0), none(), AluOp.NONE, NfpReg.lmInc(3)), "alu[ab0, --, B, *l$index3++]");
        rt(NfpAsm.alu(lm(3, 5), none(), AluOp.NONE, b(9)), "alu[*l$index3[5], --, B, b9]");
        rt(NfpAsm.alu(both(1), NfpReg.nnr(4), AluOp.XOR, b(1)), "alu[ab1, n$reg_4, XOR, b1]");
        rt(NfpAsm.alu(a(20), b(2), AluOp.OR, a(3)), "alu[a20, b2, OR, a3]");
        rt(NfpAsm.alu(both(2), a(2), AluOp.AND_NOT_B, b(3)), "alu[ab2, a2, AND~, b3]");
        rt(NfpAsm.alu(both(2), a(2), AluOp.ADD_2B, b(3)), "alu[ab2, a2, +16, b3]");
    }

    @Test
    void shf() {
        rt(NfpAsm.shf(a(1), none(), ShfOp.NONE, b(0), ShfSc.L_SHF, 3), "alu_shf[a1, --, B, b0, <<3]");
        rt(NfpAsm.shf(b(2), imm(0xff), ShfOp.AND, b(2), ShfSc.R_SHF, 0), "alu_shf[b2, 0xff, AND, b2, >>indirect]");
        rt(NfpAsm.shf(both(3), a(3), ShfOp.NONE, b(2), ShfSc.R_DSHF, 7), "alu_shf[ab3, a3, B, b2, >>dbl7]");
        rt(NfpAsm.shf(both(3), none(), ShfOp.ASHR, b(3), ShfSc.R_SHF, 31), "alu_shf[ab3, --, ASHR, b3, >>31]");
        rt(NfpAsm.shf(both(0), none(), ShfOp.NONE, xfer(0), ShfSc.R_SHF, 16), "alu_shf[ab0, --, B, $xfer_0, >>16]");
        rt(NfpAsm.shfIndirect(both(4), none(), ShfOp.NONE, b(4), ShfSc.L_SHF), "alu_shf[ab4, --, B, b4, <<indirect]");
        rt(NfpAsm.shf(lm(1, 4), lm(1, 4), ShfOp.OR, imm(1), ShfSc.L_SHF, 4), "alu_shf[*l$index1[4], *l$index1[4], OR, 0x1, <<4]");
    }

    @Test
    void immed() {
        rt(NfpAsm.nop(), "nop");
        rt(NfpAsm.immed(both(3), 0x1234, ImmedWidth.ALL, false, ImmedShift.B0), "immed[ab3, 0x1234]");
        rt(NfpAsm.immed(b(22), 0x3fff, ImmedWidth.ALL, false, ImmedShift.B0), "immed[b22, 0x3fff]");
        rt(NfpAsm.immed(both(1), 0x15, ImmedWidth.ALL, true, ImmedShift.B0), "immed[ab1, ~0x15]");
        rt(NfpAsm.immed(both(1), 0xabcd, ImmedWidth.WORD, false, ImmedShift.B2), "immed_w[ab1, 0xabcd, <<16]");
        rt(NfpAsm.immed(a(9), 0x12, ImmedWidth.BYTE, false, ImmedShift.B1), "immed_b[a9, 0x12, <<8]");
        rt(NfpAsm.immed(xfer(1), 0x5, ImmedWidth.ALL, false, ImmedShift.B0), "immed[$xfer_1, 0x5]");
        rt(NfpAsm.immed(none(), 0x0180, ImmedWidth.ALL, false, ImmedShift.B0), "immed[--, 0x180]");
    }

    @Test
    void ldField() {
        rt(NfpAsm.ldField(a(0), 0xc, imm(0x82), ShfSc.L_SHF, 16, false), "ld_field[a0, 1100, 0x82, <<16]");
        rt(NfpAsm.ldField(both(4), 0x1, xfer(0), ShfSc.R_ROT, 0, true), "ld_field_w_clr[ab4, 0001, $xfer_0]");
        rt(NfpAsm.ldField(both(2), 0xf, b(2), ShfSc.R_ROT, 8, false), "ld_field[ab2, 1111, b2, >>rot8]");
        rt(NfpAsm.ldField(b(5), 0x3, a(6), ShfSc.R_SHF, 8, false), "ld_field[b5, 0011, a6, >>8]");
        rt(NfpAsm.ldField(lm(3, 2), 0x6, b(6), ShfSc.L_SHF, 24, false), "ld_field[*l$index3[2], 0110, b6, <<8]");
    }

    @Test
    void branches() {
        rt(NfpAsm.br(BrMask.UNC, 5, 0), "br[.5]");
        rt(NfpAsm.br(BrMask.BLO, 0x2345, 2), "blo[.9029], defer[2]");
        rt(NfpAsm.br(BrMask.BEQ, 1, 0), "beq[.1]");
        rt(NfpAsm.br(BrMask.BNE, 1, 1), "bne[.1], defer[1]");
        rt(NfpAsm.br(BrMask.BMI, 0, 0), "bmi[.0]");
        rt(NfpAsm.br(BrMask.BHS, 3, 0), "bhs[.3]");
        rt(NfpAsm.br(BrMask.BGE, 3, 0), "bge[.3]");
        rt(NfpAsm.br(BrMask.BLT, 3, 0), "blt[.3]");
        rt(NfpAsm.brBit(a(6), 5, 7, 0, true), "br_bset[a6, 5, .7]");
        rt(NfpAsm.brBit(b(6), 31, 8200, 1, false), "br_bclr[b6, 31, .8200], defer[1]");
        rt(NfpAsm.brByte(a(2), 1, 0x99, true, 44, 0), "br=byte[a2, 1, 0x99, .44]");
        rt(NfpAsm.brByte(b(2), 3, 0x7, false, 44, 0), "br!=byte[b2, 3, 0x7, .44]");
        rt(NfpAsm.brAlu(b(0), 2), "rtn[b0], defer[2]");
        rt(NfpAsm.brAlu(a(3), 0), "rtn[a3]");
    }

    @Test
    void memoryCommandsCsrsAndMultiply() {
        rt(NfpAsm.cmd(CmdTgt.READ32_SWAP, CmdMode.A32, 0, a(4), imm(0x10), 0, CmdCtx.SWAP, false), "mem[read32_swap, $xfer_0, a4, 0x10, 1], ctx_swap");
        rt(NfpAsm.cmd(CmdTgt.READ32_SWAP, CmdMode.A40_BA, 0, a(20), b(21), 1, CmdCtx.SWAP, false), "mem[read32_swap, $xfer_0, a20, b21, 2, 40b_ba], ctx_swap");
        rt(NfpAsm.cmd(CmdTgt.WRITE8_SWAP, CmdMode.A32, 0, a(6), b(21), 7, CmdCtx.SWAP, false), "mem[write8_swap, $xfer_0, a6, b21, 8], ctx_swap");
        rt(NfpAsm.cmd(CmdTgt.READ8, CmdMode.A32, 0, lm(1, 2), b(21), 3, CmdCtx.SWAP, false), "mem[read8, $xfer_0, *l$index1[2], b21, 4], ctx_swap");
        rt(NfpAsm.cmd(CmdTgt.ADD_IMM, CmdMode.A40_BA, 0, a(20), b(20), 0, CmdCtx.NO_SWAP, true), "mem[atomic_add_imm, $xfer_0, a20, b20, 1, 40b_ba], no_signal, indirect_ref");
        rt(NfpAsm.cmd(CmdTgt.ADD, CmdMode.A40_BA, 0, a(4), b(5), 4, CmdCtx.SWAP_DEFER2, false), "mem[atomic_add, $xfer_0, a4, b5, 5, 40b_ba], ctx_swap, defer[2]");
        rt(NfpAsm.csrRd(NfpAsm.NFP_CSR_PSEUDO_RND_NUM), "local_csr_rd[PseudoRandNum]");
        rt(NfpAsm.csrWr(b(4), NfpAsm.NFP_CSR_ACT_LM_ADDR0), "local_csr_wr[ActLMAddr0, b4]");
        rt(NfpAsm.csrWr(a(22), NfpAsm.NFP_CSR_ACT_LM_ADDR3), "local_csr_wr[ActLMAddr3, a22]");
        rt(NfpAsm.csrWr(imm(3), 0x100), "local_csr_wr[0x100, 0x3]");
        rt(NfpAsm.mul(a(4), MulType.START, MulStep.NONE, b(6)), "mul_step[a4, b6], start");
        rt(NfpAsm.mul(a(4), MulType.STEP_32x32, MulStep.STEP_3, imm(9)), "mul_step[a4, 0x9], 32x32_step_3");
        rt(NfpAsm.mul(both(4), MulType.STEP_32x32, MulStep.LAST, none()), "mul_step[ab4, --], 32x32_last");
        rt(NfpAsm.mul(b(5), MulType.STEP_16x16, MulStep.LAST_2, none()), "mul_step[b5, --], 16x16_last_2");
    }

    @Test
    void listingAddressesRelocationsAndEcc() {
        long w0 = NfpAsm.withRelo(NfpAsm.br(BrMask.UNC, NfpAsm.BR_OFF_RELO + 1, 2), Relo.BR_HELPER);
        long w1 = NfpAsm.withEcc(NfpAsm.br(BrMask.UNC, 5, 0));
        long w2 = NfpAsm.withEcc(NfpAsm.br(BrMask.UNC, 5, 0)) ^ (1L << 46);
        byte[] code = new byte[24];
        long[] ws = {w0, w1, w2};
        for (int i = 0; i < 3; i++) for (int k = 0; k < 8; k++) code[i * 8 + k] = (byte) (ws[i] >>> (8 * k));
        List<String> lines = new NfpDisassembler().disassemble(code, 0x100);
        assertEquals(List.of(
                "     100:\t070001dea6608038\tbr[.15001], defer[2]\t; RELO_BR_HELPER",
                "     108:\t000560d801408038\tbr[.5]",
                "     110:\t000520d801408038\tbr[.5]\t; bad ECC"), lines);
        assertEquals("NFP code is 5 bytes, not a whole number of 8-byte words",
                assertThrows(IllegalArgumentException.class, () -> new NfpDisassembler().disassemble(new byte[5], 0)).getMessage());
        assertEquals("unknown NFP instruction 0xe000000000 at offset 0x8",
                assertThrows(IllegalArgumentException.class, () -> NfpDisassembler.decode(0x0e000000000L, 8)).getMessage());
    }
}
