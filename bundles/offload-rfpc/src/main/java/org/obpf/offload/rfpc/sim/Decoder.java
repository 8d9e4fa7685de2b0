package org.obpf.offload.rfpc.sim;

import static org.obpf.offload.rfpc.sim.Op.*;

/**
 * RV32IMC to the predecoded form, once per instruction at load time. Compressed instructions are
 * expanded to the base instruction they stand for (RISC-V unprivileged ISA, chapter "C"); pc-relative
 * values ({@code auipc}, jump and branch targets, link addresses) are resolved here because the
 * code's address is known.
 */
final class Decoder {
    private Decoder() {}

    /**
     * Decodes the instruction at slot {@code slot} (address {@code base + 2*slot}).
     *
     * @param lo   the halfword at the slot
     * @param hi   the next halfword (ignored for compressed instructions)
     */
    static long decode(int base, int slot, int lo, int hi) {
        int pc = base + 2 * slot;
        if ((lo & 3) != 3) return compressed(pc, slot, lo & 0xffff);
        if ((lo & 0x1c) == 0x1c) return slot(ILLEGAL, 0, 0, 0, 2, lo & 0xffff); // 48-bit and longer forms
        return full(pc, slot, (lo & 0xffff) | hi << 16);
    }

    private static long illegal(int insn, int halfwords) {
        return slot(ILLEGAL, 0, 0, 0, halfwords, insn);
    }

    private static long full(int pc, int slot, int i) {
        int opcode = i & 0x7f, rd = (i >>> 7) & 31, f3 = (i >>> 12) & 7, rs1 = (i >>> 15) & 31, rs2 = (i >>> 20) & 31;
        int f7 = i >>> 25;
        int immI = i >> 20;
        int immS = (i >> 25) << 5 | (i >>> 7) & 31;
        int immB = (i >> 31) << 12 | ((i >>> 7) & 1) << 11 | ((i >>> 25) & 0x3f) << 5 | ((i >>> 8) & 0xf) << 1;
        int immU = i & 0xfffff000;
        int immJ = (i >> 31) << 20 | ((i >>> 12) & 0xff) << 12 | ((i >>> 20) & 1) << 11 | ((i >>> 21) & 0x3ff) << 1;
        switch (opcode) {
            case 0x37: return slot(LI, rd, 0, 0, 2, immU);
            case 0x17: return slot(LI, rd, 0, 0, 2, pc + immU);
            case 0x6f: return slot(JAL, rd, 0, 0, 2, slot + (immJ >> 1));
            case 0x67: return f3 == 0 ? slot(JALR, rd, rs1, 0, 2, immI) : illegal(i, 2);
            case 0x63: {
                int op = switch (f3) {
                    case 0 -> BEQ; case 1 -> BNE; case 4 -> BLT; case 5 -> BGE; case 6 -> BLTU; case 7 -> BGEU;
                    default -> -1;
                };
                return op < 0 ? illegal(i, 2) : slot(op, 0, rs1, rs2, 2, slot + (immB >> 1));
            }
            case 0x03: {
                int op = switch (f3) {
                    case 0 -> LB; case 1 -> LH; case 2 -> LW; case 4 -> LBU; case 5 -> LHU; default -> -1;
                };
                return op < 0 ? illegal(i, 2) : slot(op, rd, rs1, 0, 2, immI);
            }
            case 0x23: {
                int op = switch (f3) { case 0 -> SB; case 1 -> SH; case 2 -> SW; default -> -1; };
                return op < 0 ? illegal(i, 2) : slot(op, 0, rs1, rs2, 2, immS);
            }
            case 0x13: {
                switch (f3) {
                    case 0: return slot(ADDI, rd, rs1, 0, 2, immI);
                    case 2: return slot(SLTI, rd, rs1, 0, 2, immI);
                    case 3: return slot(SLTIU, rd, rs1, 0, 2, immI);
                    case 4: return slot(XORI, rd, rs1, 0, 2, immI);
                    case 6: return slot(ORI, rd, rs1, 0, 2, immI);
                    case 7: return slot(ANDI, rd, rs1, 0, 2, immI);
                    case 1: return f7 == 0 ? slot(SLLI, rd, rs1, 0, 2, rs2) : illegal(i, 2);
                    default:
                        if (f7 == 0) return slot(SRLI, rd, rs1, 0, 2, rs2);
                        if (f7 == 0x20) return slot(SRAI, rd, rs1, 0, 2, rs2);
                        return illegal(i, 2);
                }
            }
            case 0x33: {
                int op = -1;
                if (f7 == 0) {
                    op = switch (f3) {
                        case 0 -> ADD; case 1 -> SLL; case 2 -> SLT; case 3 -> SLTU;
                        case 4 -> XOR; case 5 -> SRL; case 6 -> OR; default -> AND;
                    };
                } else if (f7 == 0x20) {
                    op = f3 == 0 ? SUB : f3 == 5 ? SRA : -1;
                } else if (f7 == 1) {
                    op = switch (f3) {
                        case 0 -> MUL; case 1 -> MULH; case 2 -> MULHSU; case 3 -> MULHU;
                        case 4 -> DIV; case 5 -> DIVU; case 6 -> REM; default -> REMU;
                    };
                }
                return op < 0 ? illegal(i, 2) : slot(op, rd, rs1, rs2, 2, 0);
            }
            case 0x0f: return f3 == 0 || f3 == 1 ? slot(FENCE, 0, 0, 0, 2, 0) : illegal(i, 2); // fence, fence.i
            case 0x73:
                if (i == 0x00000073) return slot(ECALL, 0, 0, 0, 2, 0);
                if (i == 0x00100073) return slot(EBREAK, 0, 0, 0, 2, 0);
                return illegal(i, 2);
            default: return illegal(i, 2);
        }
    }

    /** Expands a compressed instruction to its base form (RVC, RV32 encodings only). */
    private static long compressed(int pc, int slot, int c) {
        int q = c & 3, f3 = c >>> 13;
        int rdFull = (c >>> 7) & 31, rs2Full = (c >>> 2) & 31;
        int rdP = 8 + ((c >>> 2) & 7), rs1P = 8 + ((c >>> 7) & 7);
        int imm6 = ((c >>> 12) & 1) << 5 | (c >>> 2) & 31;
        int simm6 = (imm6 << 26) >> 26;
        if (c == 0) return illegal(c, 1);
        switch (q << 3 | f3) {
            case 0: { // c.addi4spn
                int nz = ((c >>> 7) & 0xf) << 6 | ((c >>> 11) & 3) << 4 | ((c >>> 5) & 1) << 3 | ((c >>> 6) & 1) << 2;
                return nz == 0 ? illegal(c, 1) : slot(ADDI, rdP, 2, 0, 1, nz);
            }
            case 2: return slot(LW, rdP, rs1P, 0, 1, clwOffset(c)); // c.lw
            case 6: return slot(SW, 0, rs1P, rdP, 1, clwOffset(c)); // c.sw
            case 8: return slot(ADDI, rdFull, rdFull, 0, 1, simm6); // c.addi, c.nop
            case 9: return slot(JAL, 1, 0, 0, 1, slot + (cjOffset(c) >> 1)); // c.jal (RV32)
            case 10: return slot(ADDI, rdFull, 0, 0, 1, simm6); // c.li
            case 11:
                if (rdFull == 2) { // c.addi16sp
                    int nz = (c >> 12 & 1) == 1 ? -512 : 0;
                    nz |= ((c >>> 3) & 3) << 7 | ((c >>> 5) & 1) << 6 | ((c >>> 2) & 1) << 5 | ((c >>> 6) & 1) << 4;
                    return nz == 0 ? illegal(c, 1) : slot(ADDI, 2, 2, 0, 1, nz);
                }
                return simm6 == 0 ? illegal(c, 1) : slot(LI, rdFull, 0, 0, 1, simm6 << 12); // c.lui
            case 12: {
                int funct2 = (c >>> 10) & 3;
                switch (funct2) {
                    case 0: return (c >>> 12 & 1) != 0 ? illegal(c, 1) : slot(SRLI, rs1P, rs1P, 0, 1, imm6); // c.srli
                    case 1: return (c >>> 12 & 1) != 0 ? illegal(c, 1) : slot(SRAI, rs1P, rs1P, 0, 1, imm6); // c.srai
                    case 2: return slot(ANDI, rs1P, rs1P, 0, 1, simm6); // c.andi
                    default: {
                        if ((c >>> 12 & 1) != 0) return illegal(c, 1); // c.subw/c.addw are RV64
                        int op = switch ((c >>> 5) & 3) { case 0 -> SUB; case 1 -> XOR; case 2 -> OR; default -> AND; };
                        return slot(op, rs1P, rs1P, rdP, 1, 0);
                    }
                }
            }
            case 13: return slot(JAL, 0, 0, 0, 1, slot + (cjOffset(c) >> 1)); // c.j
            case 14: return slot(BEQ, 0, rs1P, 0, 1, slot + (cbOffset(c) >> 1)); // c.beqz
            case 15: return slot(BNE, 0, rs1P, 0, 1, slot + (cbOffset(c) >> 1)); // c.bnez
            case 16: return (c >>> 12 & 1) != 0 ? illegal(c, 1) : slot(SLLI, rdFull, rdFull, 0, 1, imm6); // c.slli
            case 18: { // c.lwsp
                int off = ((c >>> 4) & 7) << 2 | ((c >>> 12) & 1) << 5 | ((c >>> 2) & 3) << 6;
                return rdFull == 0 ? illegal(c, 1) : slot(LW, rdFull, 2, 0, 1, off);
            }
            case 20: {
                boolean bit12 = (c >>> 12 & 1) != 0;
                if (!bit12) {
                    if (rs2Full == 0) return rdFull == 0 ? illegal(c, 1) : slot(JALR, 0, rdFull, 0, 1, 0); // c.jr
                    return slot(ADD, rdFull, 0, rs2Full, 1, 0); // c.mv
                }
                if (rs2Full == 0) {
                    if (rdFull == 0) return slot(EBREAK, 0, 0, 0, 1, 0); // c.ebreak
                    return slot(JALR, 1, rdFull, 0, 1, 0); // c.jalr
                }
                return slot(ADD, rdFull, rdFull, rs2Full, 1, 0); // c.add
            }
            case 22: { // c.swsp
                int off = ((c >>> 9) & 0xf) << 2 | ((c >>> 7) & 3) << 6;
                return slot(SW, 0, 2, rs2Full, 1, off);
            }
            default: return illegal(c, 1);
        }
    }

    private static int clwOffset(int c) {
        return ((c >>> 10) & 7) << 3 | ((c >>> 6) & 1) << 2 | ((c >>> 5) & 1) << 6;
    }

    private static int cjOffset(int c) {
        int o = ((c >>> 12) & 1) << 11 | ((c >>> 11) & 1) << 4 | ((c >>> 9) & 3) << 8 | ((c >>> 8) & 1) << 10
                | ((c >>> 7) & 1) << 6 | ((c >>> 6) & 1) << 7 | ((c >>> 3) & 7) << 1 | ((c >>> 2) & 1) << 5;
        return (o << 20) >> 20;
    }

    private static int cbOffset(int c) {
        int o = ((c >>> 12) & 1) << 8 | ((c >>> 10) & 3) << 3 | ((c >>> 5) & 3) << 6 | ((c >>> 3) & 3) << 1
                | ((c >>> 2) & 1) << 5;
        return (o << 23) >> 23;
    }
}
