package org.obpf.jit.x86_64;

import java.util.ArrayList;
import java.util.List;
import org.obpf.api.jit.JitBackend;
import org.obpf.api.jit.code.MachineDisassembler;
import org.osgi.service.component.annotations.Component;

/**
 * An x86-64 disassembler for every instruction form the back-end emits (and the neighbouring
 * forms of the same opcodes), printing GNU objdump's Intel syntax
 * ({@code objdump -D -b binary -m i386:x86-64 -M intel}): {@code mov QWORD PTR [rdi+0x8],rax},
 * immediates in hex at the operand's width, branch targets as absolute addresses.
 */
@Component(property = JitBackend.ARCH + "=" + X86_64JitBackend.ARCH)
public final class X86Disassembler implements MachineDisassembler {

    /** One decoded instruction: its offset in the code, length, and text ({@code "lock add QWORD PTR [rdi+0x8],rax"}). */
    public record Instruction(int offset, int length, String text) {}

    private static final String[] GROUP1 = {"add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"};
    private static final String[] GROUP2 = {"rol", "ror", "rcl", "rcr", "shl", "shr", "sal", "sar"};
    private static final String[] CC = {"jo", "jno", "jb", "jae", "je", "jne", "jbe", "ja", "js", "jns", "jp", "jnp", "jl", "jge", "jle", "jg"};
    private static final String[] BYTE_LEGACY = {"al", "cl", "dl", "bl", "ah", "ch", "dh", "bh"};

    @Override
    public String arch() {
        return X86_64JitBackend.ARCH;
    }

    @Override
    public List<String> disassemble(byte[] code, long address) {
        List<String> out = new ArrayList<>();
        for (Instruction i : decodeAll(code, address)) {
            StringBuilder hex = new StringBuilder();
            for (int k = 0; k < i.length(); k++) hex.append(String.format("%02x ", code[i.offset() + k] & 0xff));
            out.add(String.format("%8x:\t%-21s\t%s", address + i.offset(), hex.toString().strip(), i.text()));
        }
        return out;
    }

    /** Every instruction of {@code code}, in order. */
    public List<Instruction> decodeAll(byte[] code, long address) {
        List<Instruction> out = new ArrayList<>();
        int p = 0;
        while (p < code.length) {
            Instruction i = decode(code, p, address);
            out.add(i);
            p += i.length();
        }
        return out;
    }

    /**
     * The instruction at {@code offset}.
     *
     * @throws IllegalArgumentException naming the offset and bytes if it is not a form this
     *     disassembler knows
     */
    public Instruction decode(byte[] code, int offset, long address) {
        try {
            return new Decoder(code, offset, address).run();
        } catch (ArrayIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("truncated instruction at offset 0x" + Integer.toHexString(offset));
        }
    }

    private static final class Decoder {
        final byte[] c;
        final int start;
        final long address;
        int p;
        boolean lock, opsize;
        int rex;
        // ModRM
        int mod, reg, rm;
        String memText; // the memory operand without size, when mod != 3
        boolean ripRel; // the memory operand is [rip + ripDisp]
        long ripDisp;

        Decoder(byte[] c, int start, long address) {
            this.c = c;
            this.start = start;
            this.address = address;
            this.p = start;
        }

        int u8() {
            return c[p++] & 0xff;
        }

        int s8() {
            return c[p++];
        }

        int s32() {
            int v = (c[p] & 0xff) | (c[p + 1] & 0xff) << 8 | (c[p + 2] & 0xff) << 16 | (c[p + 3] & 0xff) << 24;
            p += 4;
            return v;
        }

        int u16() {
            int v = (c[p] & 0xff) | (c[p + 1] & 0xff) << 8;
            p += 2;
            return v;
        }

        long s64() {
            long lo = s32() & 0xffffffffL;
            long hi = s32();
            return lo | hi << 32;
        }

        boolean w() {
            return (rex & 8) != 0;
        }

        int size() {
            return w() ? 64 : opsize ? 16 : 32;
        }

        Instruction done(String text) {
            // objdump names the target of a RIP-relative operand in a comment
            if (ripRel) text += " # 0x" + Long.toHexString(address + p + ripDisp);
            return new Instruction(start, p - start, text);
        }

        IllegalArgumentException unknown() {
            StringBuilder sb = new StringBuilder();
            for (int i = start; i < Math.min(c.length, start + 8); i++) sb.append(String.format("%02x ", c[i] & 0xff));
            return new IllegalArgumentException("unknown instruction at offset 0x" + Integer.toHexString(start) + ": " + sb.toString().strip());
        }

        static String imm(long v, int bits) {
            long m = bits == 64 ? v : v & ((1L << bits) - 1);
            return "0x" + Long.toHexString(m);
        }

        String regName(int number, int bits) {
            if (bits == 8 && rex == 0 && number >= 4 && number < 8) return BYTE_LEGACY[number];
            return Reg.of(number).name(bits);
        }

        void modrm() {
            int m = u8();
            mod = m >>> 6;
            reg = (m >>> 3 & 7) | ((rex & 4) != 0 ? 8 : 0);
            int r = m & 7;
            if (mod == 3) {
                rm = r | ((rex & 1) != 0 ? 8 : 0);
                return;
            }
            String base;
            String index = null;
            int scale = 1;
            boolean ripRel = false;
            boolean noBase = false;
            if (r == 4) {
                int sib = u8();
                scale = 1 << (sib >>> 6);
                int idx = (sib >>> 3 & 7) | ((rex & 2) != 0 ? 8 : 0);
                int b = (sib & 7) | ((rex & 1) != 0 ? 8 : 0);
                if (idx != 4) index = Reg.of(idx).name(64);
                if ((sib & 7) == 5 && mod == 0) {
                    noBase = true;
                    base = null;
                } else {
                    base = Reg.of(b).name(64);
                }
            } else if (r == 5 && mod == 0) {
                this.ripRel = true;
                ripRel = true;
                base = "rip";
            } else {
                base = Reg.of(r | ((rex & 1) != 0 ? 8 : 0)).name(64);
            }
            long disp = 0;
            boolean hasDisp = false;
            if (mod == 1) {
                disp = s8();
                hasDisp = true;
            } else if (mod == 2 || ripRel || noBase) {
                disp = s32();
                hasDisp = true;
            }
            if (ripRel) ripDisp = disp;
            StringBuilder sb = new StringBuilder("[");
            if (base != null) sb.append(base);
            if (index != null) sb.append(base != null ? "+" : "").append(index).append('*').append(scale);
            if (hasDisp) {
                if (base == null && index == null) sb.append("0x").append(Long.toHexString(disp & 0xffffffffL));
                else if (ripRel) sb.append("+0x").append(Long.toHexString(disp)); // objdump: rip plus the 64-bit two's complement
                else sb.append(disp < 0 ? "-0x" + Long.toHexString(-disp) : "+0x" + Long.toHexString(disp));
            }
            memText = sb.append(']').toString();
        }

        static String ptr(int bits) {
            return switch (bits) {
                case 8 -> "BYTE PTR ";
                case 16 -> "WORD PTR ";
                case 32 -> "DWORD PTR ";
                default -> "QWORD PTR ";
            };
        }

        /** The r/m operand at {@code bits}. */
        String rmText(int bits) {
            return mod == 3 ? regName(rm, bits) : ptr(bits) + memText;
        }

        Instruction run() {
            for (;;) {
                int b = c[p] & 0xff;
                if (b == 0xf0) lock = true;
                else if (b == 0x66) opsize = true;
                else break;
                p++;
            }
            if ((c[p] & 0xf0) == 0x40) rex = u8();
            String prefix = lock ? "lock " : "";
            int op = u8();
            int size = size();
            switch (op) {
                case 0x01, 0x09, 0x21, 0x29, 0x31, 0x39, 0x85, 0x89, 0x87, 0x88 -> {
                    modrm();
                    int bits = op == 0x88 ? 8 : size;
                    String name = switch (op) {
                        case 0x01 -> "add";
                        case 0x09 -> "or";
                        case 0x21 -> "and";
                        case 0x29 -> "sub";
                        case 0x31 -> "xor";
                        case 0x39 -> "cmp";
                        case 0x85 -> "test";
                        case 0x87 -> "xchg";
                        default -> "mov";
                    };
                    return done(prefix + name + " " + rmText(bits) + "," + regName(reg, bits));
                }
                case 0x03, 0x0b, 0x23, 0x2b, 0x33, 0x3b, 0x8b -> {
                    modrm();
                    String name = switch (op) {
                        case 0x03 -> "add";
                        case 0x0b -> "or";
                        case 0x23 -> "and";
                        case 0x2b -> "sub";
                        case 0x33 -> "xor";
                        case 0x3b -> "cmp";
                        default -> "mov";
                    };
                    return done(name + " " + regName(reg, size) + "," + rmText(size));
                }
                case 0x8d -> {
                    modrm();
                    if (mod == 3) throw unknown();
                    return done("lea " + regName(reg, size) + "," + memText);
                }
                case 0x63 -> {
                    modrm();
                    return done("movsxd " + regName(reg, size) + "," + rmText(32));
                }
                case 0x69, 0x6b -> {
                    modrm();
                    long v = op == 0x6b ? s8() : opsize ? (short) u16() : s32();
                    return done("imul " + regName(reg, size) + "," + rmText(size) + "," + imm(v, size));
                }
                case 0x81, 0x83 -> {
                    modrm();
                    long v = op == 0x83 ? s8() : opsize ? (short) u16() : s32();
                    return done(prefix + GROUP1[reg & 7] + " " + rmText(size) + "," + imm(v, size));
                }
                case 0x99 -> {
                    return done(w() ? "cqo" : opsize ? "cwd" : "cdq");
                }
                case 0xc1, 0xd3 -> {
                    modrm();
                    String count = op == 0xd3 ? "cl" : imm(u8(), 8);
                    return done(GROUP2[reg & 7] + " " + rmText(size) + "," + count);
                }
                case 0xc3 -> {
                    return done("ret");
                }
                case 0xc6 -> {
                    modrm();
                    if ((reg & 7) != 0) throw unknown();
                    return done("mov " + rmText(8) + "," + imm(u8(), 8));
                }
                case 0xc7 -> {
                    modrm();
                    if ((reg & 7) != 0) throw unknown();
                    long v = opsize ? u16() : s32();
                    return done("mov " + rmText(size) + "," + imm(v, size));
                }
                case 0xe8, 0xe9 -> {
                    long rel = s32();
                    return done((op == 0xe8 ? "call " : "jmp ") + "0x" + Long.toHexString(address + p + rel));
                }
                case 0xeb -> {
                    long rel = s8();
                    return done("jmp 0x" + Long.toHexString(address + p + rel));
                }
                case 0xf7 -> {
                    modrm();
                    return switch (reg & 7) {
                        case 0 -> {
                            long v = opsize ? u16() : s32();
                            yield done("test " + rmText(size) + "," + imm(v, size));
                        }
                        case 2 -> done("not " + rmText(size));
                        case 3 -> done("neg " + rmText(size));
                        case 4 -> done("mul " + rmText(size));
                        case 5 -> done("imul " + rmText(size));
                        case 6 -> done("div " + rmText(size));
                        case 7 -> done("idiv " + rmText(size));
                        default -> throw unknown();
                    };
                }
                case 0xff -> {
                    modrm();
                    return switch (reg & 7) {
                        case 0 -> done("inc " + rmText(size));
                        case 1 -> done("dec " + rmText(size));
                        case 2 -> done("call " + rmText(64));
                        case 4 -> done("jmp " + rmText(64));
                        default -> throw unknown();
                    };
                }
                case 0x0f -> {
                    return twoByte(prefix, size);
                }
                default -> {
                    if (op >= 0x50 && op <= 0x57) return done("push " + Reg.of((op & 7) | ((rex & 1) << 3)).name(64));
                    if (op >= 0x58 && op <= 0x5f) return done("pop " + Reg.of((op & 7) | ((rex & 1) << 3)).name(64));
                    if (op >= 0x70 && op <= 0x7f) {
                        long rel = s8();
                        return done(CC[op & 0xf] + " 0x" + Long.toHexString(address + p + rel));
                    }
                    if (op >= 0xb8 && op <= 0xbf) {
                        Reg r = Reg.of((op & 7) | ((rex & 1) << 3));
                        if (w()) return done("movabs " + r.name(64) + "," + imm(s64(), 64));
                        return done("mov " + r.name(32) + "," + imm(s32(), 32));
                    }
                    throw unknown();
                }
            }
        }

        private Instruction twoByte(String prefix, int size) {
            int op = u8();
            if (op >= 0x80 && op <= 0x8f) {
                long rel = s32();
                return done(CC[op & 0xf] + " 0x" + Long.toHexString(address + p + rel));
            }
            if (op >= 0xc8 && op <= 0xcf) {
                return done("bswap " + Reg.of((op & 7) | ((rex & 1) << 3)).name(size));
            }
            switch (op) {
                case 0xaf -> {
                    modrm();
                    return done("imul " + regName(reg, size) + "," + rmText(size));
                }
                case 0xb1, 0xc1 -> {
                    modrm();
                    return done(prefix + (op == 0xb1 ? "cmpxchg " : "xadd ") + rmText(size) + "," + regName(reg, size));
                }
                case 0xb6, 0xb7, 0xbe, 0xbf -> {
                    modrm();
                    int from = (op & 1) == 0 ? 8 : 16;
                    return done(((op & 8) != 0 ? "movsx " : "movzx ") + regName(reg, size) + "," + rmText(from));
                }
                default -> throw unknown();
            }
        }
    }
}
