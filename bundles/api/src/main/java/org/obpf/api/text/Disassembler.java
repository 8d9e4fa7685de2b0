package org.obpf.api.text;

import static org.obpf.api.insn.Opcodes.*;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

import org.obpf.api.insn.Insn;
import org.obpf.api.insn.InsnKind;

/**
 * Prints instructions in the syntax of {@code llvm-objdump -d} for BPF objects as LLVM 14 (the
 * Debian 12 toolchain) prints them: decimal immediates and offsets ({@code r0 = *(u32 *)(r1 + 4)},
 * {@code if w1 s> 10 goto +1 <LBB0_2>}, {@code r1 = 4886718345 ll}).
 *
 * <p>Instructions LLVM 14 does not know are printed in the syntax later LLVM releases use
 * ({@code r1 = (s8)r2}, {@code r1 s/= r2}, {@code r1 = *(s16 *)(r2 + 0)}, {@code r1 = bswap32 r1},
 * {@code gotol +5}, {@code *(u32 *)(r10 - 4) = 7}, {@code if r1 & r2 goto +1},
 * {@code w2 = atomic_fetch_add((u32 *)(r1 + 0), w2)}); a slot that is no instruction prints as
 * {@code <unknown>}, like the tool.
 *
 * <p>Two dialects, as the tool has two: {@link #LLVM} is plain {@code llvm-objdump -d};
 * {@link #LLVM_ALU32} is {@code llvm-objdump -d --mattr=+alu32}, which names the 32-bit
 * sub-registers of narrow loads, stores and 32-bit atomics ({@code w1 = *(u32 *)(r2 + 0)}). Plain
 * LLVM 14 does not decode the 32-bit atomics other than add ({@code <unknown>}) and prints a
 * 32-bit fetch-add as a plain add; {@link #LLVM} prints those as {@link #LLVM_ALU32} does.
 *
 * <p>{@code callx} ({@code BPF_JMP | BPF_CALL | BPF_X}, not RFC 9669) prints as
 * {@code callx r<dst>}, the register where the conformance suite puts it; LLVM 14 reads imm.
 * Branch targets are annotated only when a label function is given, as objdump does from the
 * object's symbols ({@code goto +2 <LBB0_3>}).
 */
public final class Disassembler {
    /** {@code llvm-objdump -d}. */
    public static final Disassembler LLVM = new Disassembler(false);
    /** {@code llvm-objdump -d --mattr=+alu32}. */
    public static final Disassembler LLVM_ALU32 = new Disassembler(true);

    private final boolean alu32;

    private Disassembler(boolean alu32) {
        this.alu32 = alu32;
    }

    /** {@link #LLVM}: one line per instruction, no branch-target annotation. */
    public static List<String> disassemble(long[] prog) {
        return LLVM.lines(prog, slot -> null);
    }

    /** {@link #LLVM}: the instruction at {@code pc}, no branch-target annotation. */
    public static String format(long[] prog, int pc) {
        return LLVM.line(prog, pc, slot -> null);
    }

    /**
     * One line per instruction (a 16-byte load is one line).
     *
     * @param labels gives the text objdump shows in {@code <...>} after a jump's offset for a
     *               target slot index ({@code LBB0_2}, {@code prog+0x40}), or null for none
     */
    public List<String> lines(long[] prog, IntFunction<String> labels) {
        List<String> out = new ArrayList<>(prog.length);
        for (int pc = 0; pc < prog.length; pc++) {
            out.add(line(prog, pc, labels));
            if (isLdImm64(Insn.code(prog[pc])) && InsnKind.of(prog[pc]) != null) pc++;
        }
        return out;
    }

    /** An objdump-like listing: {@code "%8d:\t<text>"} per instruction, slot numbers at the left. */
    public String listing(long[] prog, IntFunction<String> labels) {
        StringBuilder sb = new StringBuilder();
        for (int pc = 0; pc < prog.length; pc++) {
            sb.append(String.format("%8d:\t", pc)).append(line(prog, pc, labels)).append('\n');
            if (isLdImm64(Insn.code(prog[pc])) && InsnKind.of(prog[pc]) != null) pc++;
        }
        return sb.toString();
    }

    /** The instruction at {@code pc}; {@code labels} as for {@link #lines(long[], IntFunction)}. */
    public String line(long[] prog, int pc, IntFunction<String> labels) {
        long w = prog[pc];
        InsnKind kind = InsnKind.of(w);
        int code = Insn.code(w);
        if (code == (BPF_JMP | BPF_CALL | BPF_X)) return "callx r" + Insn.dst(w); // not RFC 9669; ubpf's form
        if (kind == null) return "<unknown>";
        int dst = Insn.dst(w);
        int src = Insn.src(w);
        short off = Insn.off(w);
        int imm = Insn.imm(w);
        int cls = bpfClass(code);
        boolean wide = cls == BPF_ALU64 || cls == BPF_JMP;
        String d = (wide ? "r" : "w") + dst;
        String s = bpfSrc(code) == BPF_X ? (wide ? "r" : "w") + src : Integer.toString(imm);
        return switch (kind) {
            case ADD -> d + " += " + s;
            case SUB -> d + " -= " + s;
            case MUL -> d + " *= " + s;
            case DIV -> d + " /= " + s;
            case SDIV -> d + " s/= " + s;
            case OR -> d + " |= " + s;
            case AND -> d + " &= " + s;
            case LSH -> d + " <<= " + s;
            case RSH -> d + " >>= " + s;
            case NEG -> d + " = -" + d;
            case MOD -> d + " %= " + s;
            case SMOD -> d + " s%= " + s;
            case XOR -> d + " ^= " + s;
            case MOV -> d + " = " + s;
            case MOVSX -> d + " = (s" + off + ")" + s;
            case ARSH -> d + " s>>= " + s;
            case LE -> "r" + dst + " = le" + imm + " r" + dst;
            case BE -> "r" + dst + " = be" + imm + " r" + dst;
            case BSWAP -> "r" + dst + " = bswap" + imm + " r" + dst;
            case JA -> "goto " + signed(off) + label(labels, pc + 1 + off);
            case GOTOL -> "gotol " + signed(imm) + label(labels, pc + 1 + imm);
            case JEQ, JGT, JGE, JSET, JNE, JSGT, JSGE, JLT, JLE, JSLT, JSLE ->
                    "if " + d + " " + condition(kind) + " " + s + " goto " + signed(off) + label(labels, pc + 1 + off);
            case CALL_HELPER, CALL_LOCAL, CALL_KFUNC -> "call " + imm;
            case EXIT -> "exit";
            case LD_IMM64 -> {
                // LLVM prints the pseudo load's immediate as an unsigned 32-bit number
                if (src != 0) yield "ld_pseudo\tr" + dst + ", " + src + ", " + Integer.toUnsignedString(imm);
                long hi = pc + 1 < prog.length ? Insn.imm(prog[pc + 1]) : 0;
                yield "r" + dst + " = " + ((imm & 0xffffffffL) | hi << 32) + " ll";
            }
            case LD_ABS -> "r0 = *(" + unsigned(code) + " *)skb[" + imm + "]";
            case LD_IND -> "r0 = *(" + unsigned(code) + " *)skb[r" + src + "]";
            case LDX -> (narrow(code) ? "w" : "r") + dst + " = *(" + unsigned(code) + " *)" + address(src, off);
            case LDXSX -> "r" + dst + " = *(s" + sizeBytes(bpfSize(code)) * 8 + " *)" + address(src, off);
            case ST -> "*(" + unsigned(code) + " *)" + address(dst, off) + " = " + imm;
            case STX -> "*(" + unsigned(code) + " *)" + address(dst, off) + " = " + (narrow(code) ? "w" : "r") + src;
            default -> atomic(kind, code, dst, src, off);
        };
    }

    /** A B, H or W access printed with a 32-bit sub-register in the alu32 dialect. */
    private boolean narrow(int code) {
        return alu32 && bpfSize(code) != BPF_DW;
    }

    private String atomic(InsnKind kind, int code, int dst, int src, short off) {
        boolean dw = bpfSize(code) == BPF_DW;
        String v = (dw ? "r" : "w") + src;
        String mem = "(" + unsigned(code) + " *)" + address(dst, off);
        String addr = address(dst, off);
        addr = addr.substring(1, addr.length() - 1);
        return switch (kind) {
            // Plain LLVM 14 prints the 32-bit add (XADDW) with the 64-bit register name.
            case ATOMIC_ADD -> "lock *" + mem + " += " + (dw || !alu32 ? "r" : "w") + src;
            case ATOMIC_OR -> "lock *" + mem + " |= " + v;
            case ATOMIC_AND -> "lock *" + mem + " &= " + v;
            case ATOMIC_XOR -> "lock *" + mem + " ^= " + v;
            case ATOMIC_FETCH_ADD -> v + " = atomic_fetch_add(" + mem + ", " + v + ")";
            case ATOMIC_FETCH_OR -> v + " = atomic_fetch_or(" + mem + ", " + v + ")";
            case ATOMIC_FETCH_AND -> v + " = atomic_fetch_and(" + mem + ", " + v + ")";
            case ATOMIC_FETCH_XOR -> v + " = atomic_fetch_xor(" + mem + ", " + v + ")";
            case ATOMIC_XCHG -> v + (dw ? " = xchg_64(" : " = xchg32_32(") + addr + ", " + v + ")";
            default -> { // ATOMIC_CMPXCHG
                String r0 = dw ? "r0" : "w0";
                yield r0 + (dw ? " = cmpxchg_64(" : " = cmpxchg32_32(") + addr + ", " + r0 + ", " + v + ")";
            }
        };
    }

    private static String condition(InsnKind kind) {
        return switch (kind) {
            case JEQ -> "==";
            case JGT -> ">";
            case JGE -> ">=";
            case JSET -> "&";
            case JNE -> "!=";
            case JSGT -> "s>";
            case JSGE -> "s>=";
            case JLT -> "<";
            case JLE -> "<=";
            case JSLT -> "s<";
            default -> "s<="; // JSLE
        };
    }

    private static String unsigned(int code) {
        return "u" + sizeBytes(bpfSize(code)) * 8;
    }

    private static String address(int reg, short off) {
        return off >= 0 ? "(r" + reg + " + " + off + ")" : "(r" + reg + " - " + -off + ")";
    }

    private static String signed(int offset) {
        return offset >= 0 ? "+" + offset : Integer.toString(offset);
    }

    private static String label(IntFunction<String> labels, long target) {
        String name = target >= Integer.MIN_VALUE && target <= Integer.MAX_VALUE ? labels.apply((int) target) : null;
        return name == null ? "" : " <" + name + ">";
    }
}
