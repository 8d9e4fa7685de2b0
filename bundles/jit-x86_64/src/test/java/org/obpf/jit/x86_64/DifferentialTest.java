package org.obpf.jit.x86_64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.obpf.api.insn.Opcodes.*;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.obpf.api.BpfException;
import org.obpf.api.insn.Insn;
import org.obpf.api.jit.CompileOptions;
import org.obpf.api.text.Disassembler;
import org.obpf.core.conformance.Engine;
import org.obpf.core.conformance.InterpreterEngine;
import org.obpf.core.exec.HostJitEngine;
import org.obpf.core.helper.HelperTable;

/**
 * Randomised differential testing, JIT against interpreter: thousands of generated programs
 * (every ALU operation and width with register and immediate operands, including division and
 * modulo by zero and by -1, movsx, byte swaps; every conditional jump, JMP and JMP32, forward so
 * that every program ends; stack loads and stores of every width, sign-extending loads, every
 * atomic) with registers seeded from edge values. The program folds r0..r9 and eight stack
 * words into r0 before exit, so one compare checks the whole machine state.
 */
class DifferentialTest {
    static final long[] EDGE = {0, 1, -1, 2, 0x7fffffffL, 0x80000000L, 0xffffffffL, Long.MIN_VALUE, Long.MAX_VALUE,
        Integer.MIN_VALUE, 0x100000000L, 0x8000, 0xffff, 0x80, 63, 64, 31, 32};
    static final int[] ALU_OPS = {BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_OR, BPF_AND, BPF_LSH, BPF_RSH, BPF_NEG,
        BPF_MOD, BPF_XOR, BPF_MOV, BPF_ARSH, BPF_END};
    static final int[] JMP_OPS = {BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET, BPF_JNE, BPF_JSGT, BPF_JSGE, BPF_JLT, BPF_JLE,
        BPF_JSLT, BPF_JSLE};
    static final int[] ATOMIC_OPS = {BPF_ADD, BPF_OR, BPF_AND, BPF_XOR, BPF_ADD | BPF_FETCH, BPF_OR | BPF_FETCH,
        BPF_AND | BPF_FETCH, BPF_XOR | BPF_FETCH, BPF_XCHG, BPF_CMPXCHG};

    final Engine interp = new InterpreterEngine();

    @Test
    void straightLineAndBranchingProgramsAgreeWithTheInterpreter() throws BpfException {
        assertEquals(0, compare(new SplittableRandom(0x0b9f_86L), 4000, CompileOptions.DEFAULT));
    }

    @Test
    void blindedSandboxedProgramsAgreeWithTheInterpreter() throws BpfException {
        assertEquals(0, compare(new SplittableRandom(0x5eedL), 1500, CompileOptions.DEFAULT.withBlindConstants(true).withSandbox(true)));
    }

    /** Runs {@code count} programs on both engines; returns the number of mismatches (asserting on the first). */
    int compare(SplittableRandom rnd, int count, CompileOptions options) throws BpfException {
        Engine jit = new HostJitEngine(new X86_64JitBackend(), options, HelperTable.builtins());
        int jumps = 0;
        for (int i = 0; i < count; i++) {
            long[] prog = generate(rnd);
            for (long w : prog) if ((bpfClass(Insn.code(w)) == BPF_JMP || bpfClass(Insn.code(w)) == BPF_JMP32) && bpfOp(Insn.code(w)) != BPF_EXIT) jumps++;
            long expected = interp.run(prog, null);
            long actual = jit.run(prog, null);
            if (expected != actual) {
                assertEquals(expected, actual, "program " + i + " differs:\n" + String.join("\n", Disassembler.disassemble(prog)));
            }
        }
        assertTrue(jumps > count * 3, "programs branch: " + jumps + " jumps in " + count + " programs");
        return 0;
    }

    static long value(SplittableRandom rnd) {
        return switch (rnd.nextInt(3)) {
            case 0 -> EDGE[rnd.nextInt(EDGE.length)];
            case 1 -> -EDGE[rnd.nextInt(EDGE.length)];
            default -> rnd.nextLong();
        };
    }

    static int imm(SplittableRandom rnd) {
        return rnd.nextInt(4) == 0 ? rnd.nextInt() : (int) value(rnd);
    }

    static long[] generate(SplittableRandom rnd) {
        List<Long> p = new ArrayList<>();
        for (int r = 0; r <= 9; r++) {
            long v = value(rnd);
            p.add(Insn.encode(BPF_LD | BPF_IMM | BPF_DW, r, 0, 0, (int) v));
            p.add(Insn.encode(0, 0, 0, 0, (int) (v >>> 32)));
        }
        int bodyStart = p.size();
        int body = 20 + rnd.nextInt(50);
        int foldStart = bodyStart + body;
        for (int i = 0; i < body; i++) {
            int pc = bodyStart + i;
            int dst = rnd.nextInt(10);
            int src = rnd.nextInt(10);
            int kind = rnd.nextInt(100);
            if (kind < 55) {
                p.add(alu(rnd, dst, src));
            } else if (kind < 75) {
                int cls = rnd.nextBoolean() ? BPF_JMP : BPF_JMP32;
                int target = pc + 1 + rnd.nextInt(foldStart - pc);
                int off = target - pc - 1;
                if (rnd.nextInt(12) == 0) {
                    p.add(Insn.encode(BPF_JMP | BPF_JA, 0, 0, off, 0));
                } else if (rnd.nextBoolean()) {
                    p.add(Insn.encode(cls | JMP_OPS[rnd.nextInt(JMP_OPS.length)] | BPF_X, dst, src, off, 0));
                } else {
                    p.add(Insn.encode(cls | JMP_OPS[rnd.nextInt(JMP_OPS.length)] | BPF_K, dst, 0, off, imm(rnd)));
                }
            } else if (kind < 95) {
                int size = new int[] {BPF_B, BPF_H, BPF_W, BPF_DW}[rnd.nextInt(4)];
                int bytes = sizeBytes(size);
                int off = -(bytes * (1 + rnd.nextInt(64 / bytes)));
                switch (rnd.nextInt(4)) {
                    case 0 -> p.add(Insn.encode(BPF_STX | BPF_MEM | size, 10, src, off, 0));
                    case 1 -> p.add(Insn.encode(BPF_ST | BPF_MEM | size, 10, 0, off, imm(rnd)));
                    case 2 -> p.add(Insn.encode(BPF_LDX | BPF_MEM | size, dst, 10, off, 0));
                    default -> p.add(Insn.encode(BPF_LDX | (size == BPF_DW ? BPF_MEM : BPF_MEMSX) | size, dst, 10, off, 0));
                }
            } else {
                int size = rnd.nextBoolean() ? BPF_W : BPF_DW;
                int bytes = sizeBytes(size);
                int off = -(bytes * (1 + rnd.nextInt(64 / bytes)));
                p.add(Insn.encode(BPF_STX | BPF_ATOMIC | size, 10, src, off, ATOMIC_OPS[rnd.nextInt(ATOMIC_OPS.length)]));
            }
        }
        // Fold r1..r9 and the stack words the body touched into r0.
        for (int r = 1; r <= 9; r++) {
            p.add(Insn.encode(BPF_ALU64 | BPF_MUL | BPF_K, 0, 0, 0, 0x9e3779b1));
            p.add(Insn.encode(BPF_ALU64 | BPF_XOR | BPF_X, 0, r, 0, 0));
        }
        for (int k = 1; k <= 8; k++) {
            p.add(Insn.encode(BPF_LDX | BPF_MEM | BPF_DW, 1, 10, -8 * k, 0));
            p.add(Insn.encode(BPF_ALU64 | BPF_MUL | BPF_K, 0, 0, 0, 0x9e3779b1));
            p.add(Insn.encode(BPF_ALU64 | BPF_XOR | BPF_X, 0, 1, 0, 0));
        }
        p.add(Insn.encode(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
        return p.stream().mapToLong(Long::longValue).toArray();
    }

    static long alu(SplittableRandom rnd, int dst, int src) {
        int cls = rnd.nextBoolean() ? BPF_ALU64 : BPF_ALU;
        int op = ALU_OPS[rnd.nextInt(ALU_OPS.length)];
        boolean x = rnd.nextBoolean();
        switch (op) {
            case BPF_NEG -> { return Insn.encode(cls | BPF_NEG, dst, 0, 0, 0); }
            case BPF_END -> {
                int width = new int[] {16, 32, 64}[rnd.nextInt(3)];
                int code = cls == BPF_ALU64 ? BPF_ALU64 | BPF_END | BPF_TO_LE : BPF_ALU | BPF_END | (x ? BPF_TO_BE : BPF_TO_LE);
                return Insn.encode(code, dst, 0, 0, width);
            }
            case BPF_DIV, BPF_MOD -> {
                int off = rnd.nextBoolean() ? 1 : 0;
                int k = rnd.nextInt(4) == 0 ? (rnd.nextBoolean() ? 0 : -1) : imm(rnd);
                return x ? Insn.encode(cls | op | BPF_X, dst, src, off, 0) : Insn.encode(cls | op | BPF_K, dst, 0, off, k);
            }
            case BPF_MOV -> {
                if (x && rnd.nextInt(3) == 0) {
                    int[] widths = cls == BPF_ALU64 ? new int[] {8, 16, 32} : new int[] {8, 16};
                    return Insn.encode(cls | BPF_MOV | BPF_X, dst, src, widths[rnd.nextInt(widths.length)], 0);
                }
                return x ? Insn.encode(cls | op | BPF_X, dst, src, 0, 0) : Insn.encode(cls | op | BPF_K, dst, 0, 0, imm(rnd));
            }
            default -> {
                return x ? Insn.encode(cls | op | BPF_X, dst, src, 0, 0) : Insn.encode(cls | op | BPF_K, dst, 0, 0, imm(rnd));
            }
        }
    }
}
