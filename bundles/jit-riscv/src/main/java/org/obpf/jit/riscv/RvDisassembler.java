package org.obpf.jit.riscv;

import java.util.ArrayList;
import java.util.List;
import org.obpf.api.jit.code.MachineDisassembler;

/**
 * RISC-V disassembler for {@code dump jited}: every instruction the back-ends emit (RV32/RV64 I, M,
 * A, C, and Zba/Zbb's {@code add.uw}, {@code sext.b/h}, {@code zext.h}, {@code rev8}, {@code sh*add},
 * {@code andn/orn/xnor}), printed as GNU objdump prints them with {@code -M no-aliases}: canonical
 * mnemonics, ABI register names, branch targets as absolute hex addresses. Subclassed once per
 * width, since RV32 and RV64 share encodings that mean different things ({@code c.jal} / {@code c.addiw}).
 */
public abstract class RvDisassembler implements MachineDisassembler {
    private final boolean rv64;

    RvDisassembler(boolean rv64) {
        this.rv64 = rv64;
    }

    /** One decoded instruction: offset in the code, length in bytes, raw bits, text. */
    public record Instruction(int offset, int length, int bits, String text) {}

    @Override
    public List<String> disassemble(byte[] code, long address) {
        List<String> out = new ArrayList<>();
        for (Instruction i : decodeAll(code, address)) {
            String hex = i.length == 2 ? String.format("%04x", i.bits & 0xffff) : String.format("%08x", i.bits);
            out.add(String.format("%8x:\t%-20s\t%s", address + i.offset, hex, i.text));
        }
        return out;
    }

    /** Decodes every instruction of {@code code} loaded at {@code address}. */
    public List<Instruction> decodeAll(byte[] code, long address) {
        List<Instruction> out = new ArrayList<>();
        int p = 0;
        while (p < code.length) {
            if (p + 2 > code.length) throw new IllegalArgumentException("truncated instruction at offset " + p);
            int lo = (code[p] & 0xff) | (code[p + 1] & 0xff) << 8;
            if ((lo & 3) != 3) {
                out.add(new Instruction(p, 2, lo, decode16(lo, address + p)));
                p += 2;
            } else {
                if (p + 4 > code.length) throw new IllegalArgumentException("truncated instruction at offset " + p);
                int w = lo | (code[p + 2] & 0xff) << 16 | (code[p + 3] & 0xff) << 24;
                out.add(new Instruction(p, 4, w, decode32(w, address + p)));
                p += 4;
            }
        }
        return out;
    }

    private static String r(int n) {
        return Reg.x(n & 31).abiName();
    }

    private static String cr(int n) {
        return Reg.x(8 + (n & 7)).abiName();
    }

    private String target(long pc, long off) {
        long t = pc + off;
        if (!rv64) t &= 0xffffffffL;
        return "0x" + Long.toHexString(t);
    }

    private static IllegalArgumentException unknown(int bits, long pc) {
        return new IllegalArgumentException(String.format("unknown instruction 0x%x at 0x%x", bits, pc));
    }

    /** Decodes one 32-bit instruction at address {@code pc}. */
    public String decode32(int w, long pc) {
        int op = w & 0x7f;
        int rd = w >>> 7 & 31;
        int f3 = w >>> 12 & 7;
        int rs1 = w >>> 15 & 31;
        int rs2 = w >>> 20 & 31;
        int f7 = w >>> 25;
        int immI = w >> 20;
        switch (op) {
            case RvAsm.OP_LUI: return "lui\t" + r(rd) + ",0x" + Integer.toHexString(w >>> 12);
            case RvAsm.OP_AUIPC: return "auipc\t" + r(rd) + ",0x" + Integer.toHexString(w >>> 12);
            case RvAsm.OP_JAL: {
                int imm = (w >> 31) << 20 | (w >>> 12 & 0xff) << 12 | (w >>> 20 & 1) << 11 | (w >>> 21 & 0x3ff) << 1;
                return "jal\t" + r(rd) + "," + target(pc, imm);
            }
            case RvAsm.OP_JALR:
                if (f3 != 0) break;
                return "jalr\t" + r(rd) + "," + immI + "(" + r(rs1) + ")";
            case RvAsm.OP_BRANCH: {
                String[] names = {"beq", "bne", null, null, "blt", "bge", "bltu", "bgeu"};
                if (names[f3] == null) break;
                int imm = (w >> 31) << 12 | (w >>> 7 & 1) << 11 | (w >>> 25 & 0x3f) << 5 | (w >>> 8 & 0xf) << 1;
                return names[f3] + "\t" + r(rs1) + "," + r(rs2) + "," + target(pc, imm);
            }
            case RvAsm.OP_LOAD: {
                String[] names = {"lb", "lh", "lw", rv64 ? "ld" : null, "lbu", "lhu", rv64 ? "lwu" : null, null};
                if (names[f3] == null) break;
                return names[f3] + "\t" + r(rd) + "," + immI + "(" + r(rs1) + ")";
            }
            case RvAsm.OP_STORE: {
                String[] names = {"sb", "sh", "sw", rv64 ? "sd" : null, null, null, null, null};
                if (names[f3] == null) break;
                int imm = (w >> 25) << 5 | rd;
                return names[f3] + "\t" + r(rs2) + "," + imm + "(" + r(rs1) + ")";
            }
            case RvAsm.OP_IMM: {
                int shMask = rv64 ? 0x3f : 0x1f;
                int top = w >>> 26;
                switch (f3) {
                    case 0: return "addi\t" + r(rd) + "," + r(rs1) + "," + immI;
                    case 2: return "slti\t" + r(rd) + "," + r(rs1) + "," + immI;
                    case 3: return "sltiu\t" + r(rd) + "," + r(rs1) + "," + immI;
                    case 4: return "xori\t" + r(rd) + "," + r(rs1) + "," + immI;
                    case 6: return "ori\t" + r(rd) + "," + r(rs1) + "," + immI;
                    case 7: return "andi\t" + r(rd) + "," + r(rs1) + "," + immI;
                    case 1:
                        if ((immI & 0xfff) == 0x604) return "sext.b\t" + r(rd) + "," + r(rs1);
                        if ((immI & 0xfff) == 0x605) return "sext.h\t" + r(rd) + "," + r(rs1);
                        if (top == 0 && (rv64 || (w >>> 25 & 1) == 0)) return "slli\t" + r(rd) + "," + r(rs1) + ",0x" + Integer.toHexString(rs2Shamt(w) & shMask);
                        break;
                    case 5:
                        if ((immI & 0xfff) == (rv64 ? 0x6b8 : 0x698)) return "rev8\t" + r(rd) + "," + r(rs1);
                        if (!rv64 && (w >>> 25 & 1) != 0) break;
                        if (top == 0) return "srli\t" + r(rd) + "," + r(rs1) + ",0x" + Integer.toHexString(rs2Shamt(w) & shMask);
                        if (top == 0x10) return "srai\t" + r(rd) + "," + r(rs1) + ",0x" + Integer.toHexString(rs2Shamt(w) & shMask);
                        break;
                    default: break;
                }
                break;
            }
            case RvAsm.OP_IMM_32: {
                if (!rv64) break;
                if (f3 == 0) return "addiw\t" + r(rd) + "," + r(rs1) + "," + immI;
                if (f3 == 1 && f7 == 0) return "slliw\t" + r(rd) + "," + r(rs1) + ",0x" + Integer.toHexString(rs2);
                if (f3 == 5 && f7 == 0) return "srliw\t" + r(rd) + "," + r(rs1) + ",0x" + Integer.toHexString(rs2);
                if (f3 == 5 && f7 == 0x20) return "sraiw\t" + r(rd) + "," + r(rs1) + ",0x" + Integer.toHexString(rs2);
                break;
            }
            case RvAsm.OP_OP: {
                String name = switch (f7 << 3 | f3) {
                    case 0 -> "add"; case 1 -> "sll"; case 2 -> "slt"; case 3 -> "sltu"; case 4 -> "xor";
                    case 5 -> "srl"; case 6 -> "or"; case 7 -> "and";
                    case 0x20 << 3 -> "sub"; case 0x20 << 3 | 5 -> "sra";
                    case 0x20 << 3 | 7 -> "andn"; case 0x20 << 3 | 6 -> "orn"; case 0x20 << 3 | 4 -> "xnor";
                    case 1 << 3 -> "mul"; case 1 << 3 | 1 -> "mulh"; case 1 << 3 | 2 -> "mulhsu"; case 1 << 3 | 3 -> "mulhu";
                    case 1 << 3 | 4 -> "div"; case 1 << 3 | 5 -> "divu"; case 1 << 3 | 6 -> "rem"; case 1 << 3 | 7 -> "remu";
                    case 0x10 << 3 | 2 -> "sh1add"; case 0x10 << 3 | 4 -> "sh2add"; case 0x10 << 3 | 6 -> "sh3add";
                    default -> null;
                };
                if (!rv64 && f7 == 0x04 && f3 == 4 && rs2 == 0) return "zext.h\t" + r(rd) + "," + r(rs1);
                if (name == null) break;
                return name + "\t" + r(rd) + "," + r(rs1) + "," + r(rs2);
            }
            case RvAsm.OP_OP_32: {
                if (!rv64) break;
                if (f7 == 0x04 && f3 == 4 && rs2 == 0) return "zext.h\t" + r(rd) + "," + r(rs1);
                String name = switch (f7 << 3 | f3) {
                    case 0 -> "addw"; case 1 -> "sllw"; case 5 -> "srlw";
                    case 0x20 << 3 -> "subw"; case 0x20 << 3 | 5 -> "sraw";
                    case 1 << 3 -> "mulw"; case 1 << 3 | 4 -> "divw"; case 1 << 3 | 5 -> "divuw";
                    case 1 << 3 | 6 -> "remw"; case 1 << 3 | 7 -> "remuw";
                    case 0x04 << 3 -> "add.uw";
                    default -> null;
                };
                if (name == null) break;
                return name + "\t" + r(rd) + "," + r(rs1) + "," + r(rs2);
            }
            case RvAsm.OP_AMO: {
                if (f3 != 2 && !(f3 == 3 && rv64)) break;
                String width = f3 == 2 ? ".w" : ".d";
                String order = switch (w >>> 25 & 3) { case 3 -> ".aqrl"; case 2 -> ".aq"; case 1 -> ".rl"; default -> ""; };
                String name = switch (w >>> 27) {
                    case RvAsm.AMO_ADD -> "amoadd"; case RvAsm.AMO_SWAP -> "amoswap"; case RvAsm.AMO_LR -> "lr";
                    case RvAsm.AMO_SC -> "sc"; case RvAsm.AMO_XOR -> "amoxor"; case RvAsm.AMO_OR -> "amoor";
                    case RvAsm.AMO_AND -> "amoand";
                    default -> null;
                };
                if (name == null || (name.equals("lr") && rs2 != 0)) break;
                if (name.equals("lr")) return "lr" + width + order + "\t" + r(rd) + ",(" + r(rs1) + ")";
                return name + width + order + "\t" + r(rd) + "," + r(rs2) + ",(" + r(rs1) + ")";
            }
            case RvAsm.OP_MISC_MEM:
                if (w == RvAsm.fence_rw_rw()) return "fence\trw,rw";
                break;
            case 0x73:
                if (w == RvAsm.ebreak()) return "ebreak";
                if (w == 0x73) return "ecall";
                break;
            default: break;
        }
        throw unknown(w, pc);
    }

    private static int rs2Shamt(int w) {
        return w >>> 20 & 0x3f;
    }

    /** Decodes one compressed instruction at address {@code pc}. */
    public String decode16(int h, long pc) {
        int op = h & 3;
        int f3 = h >>> 13 & 7;
        int rd = h >>> 7 & 31;
        int rs2 = h >>> 2 & 31;
        int imm6 = (h >>> 12 & 1) << 5 | (h >>> 2 & 0x1f);
        int simm6 = imm6 << 26 >> 26;
        int rdp = h >>> 2 & 7;
        int rs1p = h >>> 7 & 7;
        switch (op) {
            case 0: {
                switch (f3) {
                    case 0: {
                        int imm = (h >>> 7 & 0xf) << 6 | (h >>> 11 & 3) << 4 | (h >>> 5 & 1) << 3 | (h >>> 6 & 1) << 2;
                        if (imm == 0) break;
                        return "c.addi4spn\t" + cr(rdp) + ",sp," + imm;
                    }
                    case 2: {
                        int imm = (h >>> 10 & 7) << 3 | (h >>> 6 & 1) << 2 | (h >>> 5 & 1) << 6;
                        return "c.lw\t" + cr(rdp) + "," + imm + "(" + cr(rs1p) + ")";
                    }
                    case 6: {
                        int imm = (h >>> 10 & 7) << 3 | (h >>> 6 & 1) << 2 | (h >>> 5 & 1) << 6;
                        return "c.sw\t" + cr(rdp) + "," + imm + "(" + cr(rs1p) + ")";
                    }
                    case 3: {
                        if (!rv64) break;
                        int imm = (h >>> 10 & 7) << 3 | (h >>> 5 & 3) << 6;
                        return "c.ld\t" + cr(rdp) + "," + imm + "(" + cr(rs1p) + ")";
                    }
                    case 7: {
                        if (!rv64) break;
                        int imm = (h >>> 10 & 7) << 3 | (h >>> 5 & 3) << 6;
                        return "c.sd\t" + cr(rdp) + "," + imm + "(" + cr(rs1p) + ")";
                    }
                    default: break;
                }
                break;
            }
            case 1: {
                switch (f3) {
                    case 0:
                        if (rd == 0 && simm6 == 0) return "c.addi\tzero,0"; // c.nop, as objdump -M no-aliases prints it
                        if (rd == 0 || simm6 == 0) break;
                        return "c.addi\t" + r(rd) + "," + simm6;
                    case 1:
                        if (rv64) {
                            if (rd == 0) break;
                            return "c.addiw\t" + r(rd) + "," + simm6;
                        }
                        return "c.jal\t" + target(pc, cjOffset(h));
                    case 2:
                        if (rd == 0) break;
                        return "c.li\t" + r(rd) + "," + simm6;
                    case 3:
                        if (rd == 2) {
                            int imm = (h >>> 12 & 1) << 9 | (h >>> 6 & 1) << 4 | (h >>> 5 & 1) << 6 | (h >>> 3 & 3) << 7 | (h >>> 2 & 1) << 5;
                            imm = imm << 22 >> 22;
                            if (imm == 0) break;
                            return "c.addi16sp\tsp," + imm;
                        }
                        if (rd == 0 || simm6 == 0) break;
                        return "c.lui\t" + r(rd) + ",0x" + Integer.toHexString(simm6 & 0xfffff);
                    case 4: {
                        int sub = h >>> 10 & 3;
                        if (sub == 0 || sub == 1) {
                            if (!rv64 && imm6 >= 32) break;
                            if (imm6 == 0) break;
                            return (sub == 0 ? "c.srli\t" : "c.srai\t") + cr(rs1p) + ",0x" + Integer.toHexString(imm6);
                        }
                        if (sub == 2) return "c.andi\t" + cr(rs1p) + "," + simm6;
                        int f2 = h >>> 5 & 3;
                        if ((h >>> 12 & 1) == 0) {
                            String[] n = {"c.sub", "c.xor", "c.or", "c.and"};
                            return n[f2] + "\t" + cr(rs1p) + "," + cr(rdp);
                        }
                        if (!rv64 || f2 > 1) break;
                        return (f2 == 0 ? "c.subw\t" : "c.addw\t") + cr(rs1p) + "," + cr(rdp);
                    }
                    case 5:
                        return "c.j\t" + target(pc, cjOffset(h));
                    case 6:
                    case 7: {
                        int off = (h >>> 12 & 1) << 8 | (h >>> 5 & 3) << 6 | (h >>> 2 & 1) << 5 | (h >>> 10 & 3) << 3 | (h >>> 3 & 3) << 1;
                        off = off << 23 >> 23;
                        return (f3 == 6 ? "c.beqz\t" : "c.bnez\t") + cr(rs1p) + "," + target(pc, off);
                    }
                    default: break;
                }
                break;
            }
            case 2: {
                switch (f3) {
                    case 0:
                        if (rd == 0 || imm6 == 0 || (!rv64 && imm6 >= 32)) break;
                        return "c.slli\t" + r(rd) + ",0x" + Integer.toHexString(imm6);
                    case 2: {
                        if (rd == 0) break;
                        int imm = (h >>> 12 & 1) << 5 | (h >>> 4 & 7) << 2 | (h >>> 2 & 3) << 6;
                        return "c.lwsp\t" + r(rd) + "," + imm + "(sp)";
                    }
                    case 3: {
                        if (!rv64 || rd == 0) break;
                        int imm = (h >>> 12 & 1) << 5 | (h >>> 5 & 3) << 3 | (h >>> 2 & 7) << 6;
                        return "c.ldsp\t" + r(rd) + "," + imm + "(sp)";
                    }
                    case 4:
                        if ((h >>> 12 & 1) == 0) {
                            if (rs2 == 0) return rd == 0 ? unknownText(h, pc) : "c.jr\t" + r(rd);
                            if (rd == 0) break;
                            return "c.mv\t" + r(rd) + "," + r(rs2);
                        }
                        if (rd == 0 && rs2 == 0) return "c.ebreak";
                        if (rs2 == 0) return "c.jalr\t" + r(rd);
                        if (rd == 0) break;
                        return "c.add\t" + r(rd) + "," + r(rs2);
                    case 6: {
                        int imm = (h >>> 9 & 15) << 2 | (h >>> 7 & 3) << 6;
                        return "c.swsp\t" + r(rs2) + "," + imm + "(sp)";
                    }
                    case 7: {
                        if (!rv64) break;
                        int imm = (h >>> 10 & 7) << 3 | (h >>> 7 & 7) << 6;
                        return "c.sdsp\t" + r(rs2) + "," + imm + "(sp)";
                    }
                    default: break;
                }
                break;
            }
            default: break;
        }
        throw unknown(h, pc);
    }

    private static String unknownText(int h, long pc) {
        throw unknown(h, pc);
    }

    private static int cjOffset(int h) {
        int off = (h >>> 12 & 1) << 11 | (h >>> 11 & 1) << 4 | (h >>> 9 & 3) << 8 | (h >>> 8 & 1) << 10
                | (h >>> 7 & 1) << 6 | (h >>> 6 & 1) << 7 | (h >>> 3 & 7) << 1 | (h >>> 2 & 1) << 5;
        return off << 20 >> 20;
    }
}
