package org.obpf.api.text;

import static org.obpf.api.insn.Opcodes.*;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.obpf.api.insn.Insn;

/**
 * Assembles the bpf_conformance suite's syntax (the {@code -- asm} sections of its {@code .data}
 * files) into program slots, encoding exactly as the suite's own assembler does:
 *
 * <pre>
 * mov32 %r0, 0          add %r1, -3             neg %r2        sdiv32 %r1, %r2    smod %r1, 3
 * movsx832 %r0, %r1     movsx3264 %r0, %r1      le16 %r0       be64 %r0           bswap32 %r0 (= swap32)
 * ldxw %r0, [%r1+4]     ldxsh %r0, [%r10-2]     stw [%r10-4], 7  stxdw [%r10-8], %r1
 * lddw %r0, 0x123456789
 * lock add [%r10-8], %r1      lock fetch xor32 [%r1], %r2    lock xchg ..    lock cmpxchg32 ..
 * xadd [%r1+0], %r2 (= lock add)       ldabsh 12 (legacy packet load)   ldindb %r1, 14
 * jeq %r1, 0x1, +2      jsgt32 %r1, %r2, label   ja label   ja32 label (gotol)
 * call 5  call helper 5  call local func1  call runtime 7 (kfunc)  call %r2 (callx)
 * exit                  name:  (label)          # comment
 * </pre>
 *
 * Jump and local-call targets are {@code +N}/{@code -N} slot offsets or labels; {@code exit}
 * names the first {@code exit} instruction unless a label of that name exists. Immediates are
 * decimal or hexadecimal ({@code 0x}), optionally signed, truncated to the field's width.
 */
public final class Assembler {
    private Assembler() {}

    private static final Map<String, Integer> ALU_OPS = Map.ofEntries(
            Map.entry("add", BPF_ADD), Map.entry("sub", BPF_SUB), Map.entry("mul", BPF_MUL),
            Map.entry("div", BPF_DIV), Map.entry("sdiv", BPF_DIV), Map.entry("or", BPF_OR),
            Map.entry("and", BPF_AND), Map.entry("lsh", BPF_LSH), Map.entry("rsh", BPF_RSH),
            Map.entry("neg", BPF_NEG), Map.entry("mod", BPF_MOD), Map.entry("smod", BPF_MOD),
            Map.entry("xor", BPF_XOR), Map.entry("mov", BPF_MOV), Map.entry("arsh", BPF_ARSH));

    private static final Map<String, Integer> JMP_OPS = Map.ofEntries(
            Map.entry("jeq", BPF_JEQ), Map.entry("jgt", BPF_JGT), Map.entry("jge", BPF_JGE),
            Map.entry("jset", BPF_JSET), Map.entry("jne", BPF_JNE), Map.entry("jsgt", BPF_JSGT),
            Map.entry("jsge", BPF_JSGE), Map.entry("jlt", BPF_JLT), Map.entry("jle", BPF_JLE),
            Map.entry("jslt", BPF_JSLT), Map.entry("jsle", BPF_JSLE));

    private static final Map<String, Integer> ATOMIC_OPS = Map.of(
            "add", BPF_ADD, "or", BPF_OR, "and", BPF_AND, "xor", BPF_XOR,
            "xchg", BPF_XCHG, "cmpxchg", BPF_CMPXCHG);

    private static final Map<String, Integer> SIZES = Map.of("b", BPF_B, "h", BPF_H, "w", BPF_W, "dw", BPF_DW);

    /** A slot waiting for a label's position: jump offset in off, or call/gotol offset in imm. */
    private record Fixup(int slot, String label, boolean inImm, int line) {}

    /** Assembles a whole program. */
    public static long[] assemble(String source) throws AssemblerException {
        List<Long> out = new ArrayList<>();
        Map<String, Integer> labels = new HashMap<>();
        List<Fixup> fixups = new ArrayList<>();
        Integer firstExit = null;
        String[] lines = source.split("\r?\n", -1);
        for (int ln = 1; ln <= lines.length; ln++) {
            String text = lines[ln - 1];
            int hash = text.indexOf('#');
            if (hash >= 0) text = text.substring(0, hash);
            text = text.strip();
            if (text.isEmpty()) continue;
            String[] parts = text.split("\\s+", 2);
            String mnemonic = parts[0];
            if (mnemonic.endsWith(":") && parts.length == 1) {
                String label = mnemonic.substring(0, mnemonic.length() - 1);
                if (labels.putIfAbsent(label, out.size()) != null) {
                    throw new AssemblerException(ln, "duplicate label " + label);
                }
                continue;
            }
            List<String> ops = operands(parts.length > 1 ? parts[1] : "");
            if (mnemonic.equals("exit") && firstExit == null) firstExit = out.size();
            new Line(ln, mnemonic, ops, out, fixups).encode();
        }
        if (firstExit != null) labels.putIfAbsent("exit", firstExit);
        long[] prog = new long[out.size()];
        for (int i = 0; i < prog.length; i++) prog[i] = out.get(i);
        for (Fixup f : fixups) {
            Integer target = labels.get(f.label());
            if (target == null) throw new AssemblerException(f.line(), "unknown label " + f.label());
            int rel = target - f.slot() - 1;
            long w = prog[f.slot()];
            if (f.inImm()) {
                prog[f.slot()] = Insn.withImm(w, rel);
            } else {
                if (rel < Short.MIN_VALUE || rel > Short.MAX_VALUE) {
                    throw new AssemblerException(f.line(), "jump to " + f.label() + " out of 16-bit range: " + rel);
                }
                prog[f.slot()] = (w & ~0xffff0000L) | (rel & 0xffffL) << 16;
            }
        }
        return prog;
    }

    /** Operands separated by commas and/or blanks; a memory operand keeps its brackets. */
    private static List<String> operands(String text) {
        List<String> ops = new ArrayList<>();
        for (String t : text.split("[,\\s]+")) {
            if (!t.isEmpty()) ops.add(t);
        }
        return ops;
    }

    /** One source line being encoded. */
    private record Line(int ln, String mnemonic, List<String> ops, List<Long> out, List<Fixup> fixups) {

        void encode() throws AssemblerException {
            String m = mnemonic;
            switch (m) {
                case "exit" -> { arity(0); emit(BPF_JMP | BPF_EXIT, 0, 0, 0, 0); return; }
                case "lddw" -> { lddw(); return; }
                case "call" -> { call(); return; }
                case "ja" -> { arity(1); jumpTarget(BPF_JMP | BPF_JA, 0, 0, 0, ops.get(0), false); return; }
                case "ja32", "gotol" -> { arity(1); jumpTarget(BPF_JMP32 | BPF_JA, 0, 0, 0, ops.get(0), true); return; }
                case "lock" -> { lock(); return; }
                case "xadd", "xadd32", "xadddw", "xaddw" -> {
                    arity(2);
                    boolean w = m.equals("xadd32") || m.equals("xaddw");
                    atomic(w, BPF_ADD, ops.get(0), ops.get(1));
                    return;
                }
                default -> { }
            }
            boolean w32 = m.endsWith("32");
            String stem = w32 ? m.substring(0, m.length() - 2) : m;
            if (m.startsWith("movsx") && m.length() > 5) { movsx(); return; }
            if (m.matches("(le|be|swap|bswap)(16|32|64)")) { endian(); return; }
            if (ALU_OPS.containsKey(stem)) { alu(stem, w32 ? BPF_ALU : BPF_ALU64); return; }
            if (JMP_OPS.containsKey(stem)) {
                arity(3);
                int code = (w32 ? BPF_JMP32 : BPF_JMP) | JMP_OPS.get(stem);
                int dst = reg(ops.get(0));
                String b = ops.get(1);
                if (b.startsWith("%")) jumpTarget(code | BPF_X, dst, reg(b), 0, ops.get(2), false);
                else jumpTarget(code | BPF_K, dst, 0, imm32(b), ops.get(2), false);
                return;
            }
            if (m.startsWith("ldabs") && SIZES.containsKey(m.substring(5))) {
                arity(1);
                emit(BPF_LD | BPF_ABS | SIZES.get(m.substring(5)), 0, 0, 0, imm32(ops.get(0)));
                return;
            }
            if (m.startsWith("ldind") && SIZES.containsKey(m.substring(5))) {
                arity(2);
                emit(BPF_LD | BPF_IND | SIZES.get(m.substring(5)), 0, reg(ops.get(0)), 0, imm32(ops.get(1)));
                return;
            }
            if (m.startsWith("ldxs") && SIZES.containsKey(m.substring(4))) { load(BPF_MEMSX, m.substring(4)); return; }
            if (m.startsWith("ldx") && SIZES.containsKey(m.substring(3))) { load(BPF_MEM, m.substring(3)); return; }
            if (m.startsWith("stx") && SIZES.containsKey(m.substring(3))) { store(BPF_STX, m.substring(3)); return; }
            if (m.startsWith("st") && SIZES.containsKey(m.substring(2))) { store(BPF_ST, m.substring(2)); return; }
            throw error("unknown mnemonic " + m);
        }

        private void alu(String stem, int cls) throws AssemblerException {
            int op = ALU_OPS.get(stem);
            int off = stem.equals("sdiv") || stem.equals("smod") ? 1 : 0;
            if (op == BPF_NEG) {
                arity(1);
                emit(cls | BPF_NEG | BPF_K, reg(ops.get(0)), 0, 0, 0);
                return;
            }
            arity(2);
            int dst = reg(ops.get(0));
            String b = ops.get(1);
            if (b.startsWith("%")) emit(cls | op | BPF_X, dst, reg(b), off, 0);
            else emit(cls | op | BPF_K, dst, 0, off, imm32(b));
        }

        /** movsx{8,16,32}{32,64} %dst, %src: BPF_MOV | BPF_X with off = source bits. */
        private void movsx() throws AssemblerException {
            String bits = mnemonic.substring(5);
            int from;
            int cls;
            switch (bits) {
                case "832" -> { from = 8; cls = BPF_ALU; }
                case "1632" -> { from = 16; cls = BPF_ALU; }
                case "864" -> { from = 8; cls = BPF_ALU64; }
                case "1664" -> { from = 16; cls = BPF_ALU64; }
                case "3264" -> { from = 32; cls = BPF_ALU64; }
                default -> throw error("unknown mnemonic " + mnemonic);
            }
            arity(2);
            emit(cls | BPF_MOV | BPF_X, reg(ops.get(0)), reg(ops.get(1)), from, 0);
        }

        private void endian() throws AssemblerException {
            arity(1);
            String m = mnemonic;
            int bits = Integer.parseInt(m.substring(m.length() - 2));
            int code;
            if (m.startsWith("le")) code = BPF_ALU | BPF_END | BPF_TO_LE;
            else if (m.startsWith("be")) code = BPF_ALU | BPF_END | BPF_TO_BE;
            else code = BPF_ALU64 | BPF_END | BPF_TO_LE; // swap / bswap
            emit(code, reg(ops.get(0)), 0, 0, bits);
        }

        private void lddw() throws AssemblerException {
            arity(2);
            long v = imm64(ops.get(1));
            emit(BPF_LD | BPF_IMM | BPF_DW, reg(ops.get(0)), 0, 0, (int) v);
            out.add(Insn.encode(0, 0, 0, 0, (int) (v >>> 32)));
        }

        private void call() throws AssemblerException {
            if (ops.size() == 1 && ops.get(0).startsWith("%")) {
                // callx: not RFC 9669; the suite's assembler puts the register in dst
                emit(BPF_JMP | BPF_CALL | BPF_X, reg(ops.get(0)), 0, 0, 0);
                return;
            }
            String mode = ops.size() == 2 ? ops.get(0) : "helper";
            if (ops.size() != 1 && ops.size() != 2) throw error("call takes 1 or 2 operands");
            String target = ops.get(ops.size() - 1);
            switch (mode) {
                case "helper" -> emit(BPF_JMP | BPF_CALL, 0, BPF_HELPER_CALL, 0, imm32(target));
                case "runtime", "kfunc" -> emit(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_KFUNC_CALL, 0, imm32(target));
                case "local" -> jumpTarget(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, target, true);
                default -> throw error("invalid call mode " + mode);
            }
        }

        /** lock [fetch] op[32] [%dst+off], %src */
        private void lock() throws AssemblerException {
            List<String> o = ops;
            boolean fetch = !o.isEmpty() && o.get(0).equals("fetch");
            if (fetch) o = o.subList(1, o.size());
            if (o.size() != 3) throw error("lock takes [fetch] op [mem], reg");
            String op = o.get(0);
            boolean w32 = op.endsWith("32");
            Integer a = ATOMIC_OPS.get(w32 ? op.substring(0, op.length() - 2) : op);
            if (a == null) throw error("unknown atomic operation " + op);
            atomic(w32, fetch ? a | BPF_FETCH : a, o.get(1), o.get(2));
        }

        private void atomic(boolean w32, int imm, String mem, String src) throws AssemblerException {
            int[] ro = memory(mem);
            emit(BPF_STX | BPF_ATOMIC | (w32 ? BPF_W : BPF_DW), ro[0], reg(src), ro[1], imm);
        }

        private void load(int mode, String size) throws AssemblerException {
            arity(2);
            int[] ro = memory(ops.get(1));
            emit(BPF_LDX | mode | SIZES.get(size), reg(ops.get(0)), ro[0], ro[1], 0);
        }

        private void store(int cls, String size) throws AssemblerException {
            arity(2);
            int[] ro = memory(ops.get(0));
            if (cls == BPF_STX) emit(BPF_STX | BPF_MEM | SIZES.get(size), ro[0], reg(ops.get(1)), ro[1], 0);
            else emit(BPF_ST | BPF_MEM | SIZES.get(size), ro[0], 0, ro[1], imm32(ops.get(1)));
        }

        private void jumpTarget(int code, int dst, int src, int imm, String target, boolean inImm)
                throws AssemblerException {
            if (target.startsWith("+") || target.startsWith("-")) {
                long rel = imm64(target);
                if (inImm) emit(code, dst, src, 0, (int) rel);
                else emit(code, dst, src, (short) rel, imm);
                return;
            }
            fixups.add(new Fixup(out.size(), target, inImm, ln));
            emit(code, dst, src, 0, imm);
        }

        private void emit(int code, int dst, int src, int off, int imm) {
            out.add(Insn.encode(code, dst, src, off, imm));
        }

        private void arity(int n) throws AssemblerException {
            if (ops.size() != n) throw error(mnemonic + " takes " + n + " operand" + (n == 1 ? "" : "s") + ", got " + ops.size());
        }

        /** %r0 .. %r10; %r11..%r15 are accepted so that tests can build invalid encodings. */
        private int reg(String s) throws AssemblerException {
            if (s.startsWith("%r")) {
                try {
                    int r = Integer.parseInt(s.substring(2));
                    if (r >= 0 && r <= 15) return r;
                } catch (NumberFormatException e) {
                    // fall through to the error
                }
            }
            throw error("invalid register " + s);
        }

        /** [%rN], [%rN+off], [%rN-off] -> {reg, off}. */
        private int[] memory(String s) throws AssemblerException {
            if (!s.startsWith("[") || !s.endsWith("]")) throw error("invalid memory operand " + s);
            String in = s.substring(1, s.length() - 1);
            int sign = Math.max(in.indexOf('+'), in.indexOf('-'));
            if (sign < 0) return new int[] {reg(in), 0};
            return new int[] {reg(in.substring(0, sign)), (short) imm64(in.substring(sign))};
        }

        private int imm32(String s) throws AssemblerException {
            return (int) imm64(s);
        }

        /** Decimal or 0x hexadecimal, optionally signed; wraps like the suite's stoull. */
        private long imm64(String s) throws AssemblerException {
            String t = s;
            boolean neg = false;
            if (t.startsWith("+") || t.startsWith("-")) {
                neg = t.charAt(0) == '-';
                t = t.substring(1);
            }
            try {
                long v = t.startsWith("0x") || t.startsWith("0X")
                        ? Long.parseUnsignedLong(t.substring(2), 16) : Long.parseUnsignedLong(t);
                return neg ? -v : v;
            } catch (NumberFormatException e) {
                throw error("invalid number " + s);
            }
        }

        private AssemblerException error(String reason) {
            return new AssemblerException(ln, reason);
        }
    }
}
