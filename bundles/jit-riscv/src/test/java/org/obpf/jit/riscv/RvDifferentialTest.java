package org.obpf.jit.riscv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.obpf.api.insn.Opcodes.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.obpf.api.BpfException;
import org.obpf.api.insn.Insn;
import org.obpf.api.jit.CompileOptions;
import org.obpf.api.text.Disassembler;
import org.obpf.core.conformance.InterpreterEngine;
import org.obpf.core.exec.QemuEngine;

/**
 * Randomised differential testing under QEMU, each RISC-V back-end against the interpreter:
 * hundreds of generated programs per arch and mode, run as one batch each. The programs use every
 * ALU operation at both widths with register and immediate operands (division and modulo by zero
 * and by -1 included, movsx, byte swaps), every conditional jump of JMP and JMP32 (forward, so
 * every program ends), stack loads and stores of every width, sign-extending loads and the atomics
 * (64-bit ones only on riscv64), with registers seeded from edge values; before exit they fold
 * r0..r9 and eight stack words into r0, so one compare checks the whole machine state.
 */
class RvDifferentialTest {
    static final long[] EDGE = {0, 1, -1, 2, 0x7fffffffL, 0x80000000L, 0xffffffffL, Long.MIN_VALUE, Long.MAX_VALUE,
        Integer.MIN_VALUE, 0x100000000L, 0x8000, 0xffff, 0x80, 63, 64, 31, 32, 33};
    static final int[] ALU = {BPF_ADD, BPF_SUB, BPF_MUL, BPF_DIV, BPF_OR, BPF_AND, BPF_LSH, BPF_RSH, BPF_NEG, BPF_MOD,
        BPF_XOR, BPF_MOV, BPF_ARSH, BPF_END};
    static final int[] JMP = {BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET, BPF_JNE, BPF_JSGT, BPF_JSGE, BPF_JLT, BPF_JLE, BPF_JSLT, BPF_JSLE};
    static final int[] ATOMIC = {BPF_ADD, BPF_OR, BPF_AND, BPF_XOR, BPF_ADD | BPF_FETCH, BPF_OR | BPF_FETCH,
        BPF_AND | BPF_FETCH, BPF_XOR | BPF_FETCH, BPF_XCHG, BPF_CMPXCHG};
    static final int PROGRAMS = 400;

    static Stream<Arguments> modes() {
        return Stream.of(
                Arguments.of("riscv64", "compressed", CompileOptions.DEFAULT, 0x5eed64L),
                Arguments.of("riscv64", "verifier zext", CompileOptions.DEFAULT, 0x2e464L),
                Arguments.of("riscv32", "verifier zext", CompileOptions.DEFAULT, 0x2e432L),
                Arguments.of("riscv64", "zba+zbb, blinded", CompileOptions.DEFAULT.withExtensions(Set.of("zba", "zbb")).withBlindConstants(true), 0xb1d64L),
                Arguments.of("riscv32", "compressed", CompileOptions.DEFAULT, 0x5eed32L),
                Arguments.of("riscv32", "uncompressed, zbb, blinded", CompileOptions.DEFAULT.withCompressed(false)
                        .withExtensions(Set.of("zbb")).withBlindConstants(true), 0xb1d32L));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("modes")
    void generatedProgramsGiveTheInterpretersResults(String arch, String mode, CompileOptions options, long seed) throws BpfException {
        Tools.require("riscv64-linux-gnu-gcc", "riscv64-linux-gnu-ld", "qemu-" + arch);
        boolean rv64 = arch.equals("riscv64");
        QemuEngine engine = new QemuEngine(RvConformanceTest.backend(arch), RvConformanceTest.writer(arch), options,
                mode.equals("verifier zext"));
        SplittableRandom rnd = new SplittableRandom(seed);
        List<long[]> programs = new ArrayList<>();
        int jumps = 0;
        for (int i = 0; i < PROGRAMS; i++) {
            long[] p = generate(rnd, rv64);
            for (long w : p) {
                int c = Insn.code(w);
                if ((bpfClass(c) == BPF_JMP || bpfClass(c) == BPF_JMP32) && bpfOp(c) != BPF_EXIT) jumps++;
            }
            programs.add(p);
        }
        assertTrue(jumps > PROGRAMS * 3, "programs branch: " + jumps + " jumps in " + PROGRAMS + " programs");
        List<QemuEngine.Result> results = engine.runAll(programs.stream().map(p -> new QemuEngine.Job(p, null)).toList());
        InterpreterEngine interp = new InterpreterEngine();
        for (int k = 0; k < PROGRAMS; k++) {
            int i = k;
            long[] p = programs.get(i);
            QemuEngine.Result r = results.get(i);
            String listing = String.join("\n", Disassembler.disassemble(p));
            assertNull(r.error(), () -> "program " + i + " failed: " + r.error() + "\n" + listing);
            assertEquals(interp.run(p, null), (long) r.r0(), "program " + i + " differs:\n" + listing);
        }
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

    static long[] generate(SplittableRandom rnd, boolean atomic64) {
        List<Long> p = new ArrayList<>();
        for (int r = 0; r <= 9; r++) {
            long v = value(rnd);
            p.add(Insn.encode(BPF_LD | BPF_IMM | BPF_DW, r, 0, 0, (int) v));
            p.add(Insn.encode(0, 0, 0, 0, (int) (v >>> 32)));
        }
        // Eight stack words defined, so that the fold reads initialised memory only.
        for (int k = 1; k <= 8; k++) p.add(Insn.encode(BPF_STX | BPF_MEM | BPF_DW, 10, k, -8 * k, 0));
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
                int off = rnd.nextInt(foldStart - pc);
                if (rnd.nextInt(12) == 0) p.add(Insn.encode(BPF_JMP | BPF_JA, 0, 0, off, 0));
                else if (rnd.nextBoolean()) p.add(Insn.encode(cls | JMP[rnd.nextInt(JMP.length)] | BPF_X, dst, src, off, 0));
                else p.add(Insn.encode(cls | JMP[rnd.nextInt(JMP.length)] | BPF_K, dst, 0, off, imm(rnd)));
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
                int size = atomic64 && rnd.nextBoolean() ? BPF_DW : BPF_W;
                int bytes = sizeBytes(size);
                int off = -(bytes * (1 + rnd.nextInt(64 / bytes)));
                p.add(Insn.encode(BPF_STX | BPF_ATOMIC | size, 10, src, off, ATOMIC[rnd.nextInt(ATOMIC.length)]));
            }
        }
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
        int op = ALU[rnd.nextInt(ALU.length)];
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
