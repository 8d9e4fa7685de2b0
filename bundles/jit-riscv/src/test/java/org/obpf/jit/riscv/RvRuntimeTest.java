package org.obpf.jit.riscv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.obpf.api.insn.Opcodes.*;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.obpf.api.Errno;
import org.obpf.api.insn.Insn;
import org.obpf.api.jit.CompileOptions;
import org.obpf.core.exec.QemuEngine;
import org.obpf.core.interp.ExecutionException;

/**
 * What the conformance suite does not reach, under QEMU on both arches: tail calls through the
 * harness's program array (r1 reaches the target, an index outside the array falls through,
 * at most {@code MAX_TAIL_CALL_CNT} = 33 tail calls per run), the BPF-to-BPF call depth limit
 * (8 frames, then the run ends with E2BIG at the call), and r5 as the fifth argument of a
 * BPF-to-BPF call (a stack word on riscv32).
 */
class RvRuntimeTest {

    static long ld(int dst, int src, int off) { return Insn.encode(BPF_LDX | BPF_MEM | BPF_DW, dst, src, off, 0); }
    static long st(int dst, int src, int off) { return Insn.encode(BPF_STX | BPF_MEM | BPF_DW, dst, src, off, 0); }
    static long movx(int dst, int src) { return Insn.encode(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0); }
    static long movk(int dst, int imm) { return Insn.encode(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm); }
    static long addk(int dst, int imm) { return Insn.encode(BPF_ALU64 | BPF_ADD | BPF_K, dst, 0, 0, imm); }
    static long exit() { return Insn.encode(BPF_JMP | BPF_EXIT, 0, 0, 0, 0); }
    static long[] map0(int dst) {
        return new long[] {Insn.encode(BPF_LD | BPF_IMM | BPF_DW, dst, BPF_PSEUDO_MAP_IDX, 0, 0), Insn.encode(0, 0, 0, 0, 0)};
    }
    static long tailCall() { return Insn.encode(BPF_JMP | BPF_CALL, 0, 0, 0, 12); }

    static long[] concat(Object... parts) {
        return java.util.Arrays.stream(parts).flatMapToLong(p -> p instanceof long[] a ? java.util.Arrays.stream(a)
                : java.util.stream.LongStream.of((Long) p)).toArray();
    }

    static byte[] u64(long v) {
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) b[i] = (byte) (v >>> (8 * i));
        return b;
    }

    // r6 = r1; tail_call(r1, map#0, r3 = index); r0 = 1; exit
    static long[] caller(int index) {
        return concat(movx(6, 1), map0(2), movk(3, index), tailCall(), movk(0, 1), exit());
    }

    // r0 = *(u64 *)(r1 + 0) + 100: the target sees the caller's r1
    static final long[] TARGET = {ld(0, 1, 0), addk(0, 100), exit()};

    // *(u64 *)r1 += 1, then tail-calls slot 0 (itself); r0 = the count once the limit stops it
    static final long[] SELF = concat(movx(6, 1), ld(7, 6, 0), addk(7, 1), st(6, 7, 0), movx(1, 6), map0(2), movk(3, 0),
            tailCall(), ld(0, 6, 0), exit());

    // f calls itself with no end: the ninth frame is refused
    static final long[] RECURSE = {Insn.encode(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, -1), exit()};

    // r1..r5 = 1, 2, 3, 4, 5; call g; g: r0 = r1 + 10 r2 + 100 r3 + 1000 r4 + 10000 r5
    static final long[] FIVE_ARGS = {movk(1, 1), movk(2, 2), movk(3, 3), movk(4, 4), movk(5, 5),
        Insn.encode(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, 1), exit(),
        movx(0, 5), Insn.encode(BPF_ALU64 | BPF_MUL | BPF_K, 0, 0, 0, 10), Insn.encode(BPF_ALU64 | BPF_ADD | BPF_X, 0, 4, 0, 0),
        Insn.encode(BPF_ALU64 | BPF_MUL | BPF_K, 0, 0, 0, 10), Insn.encode(BPF_ALU64 | BPF_ADD | BPF_X, 0, 3, 0, 0),
        Insn.encode(BPF_ALU64 | BPF_MUL | BPF_K, 0, 0, 0, 10), Insn.encode(BPF_ALU64 | BPF_ADD | BPF_X, 0, 2, 0, 0),
        Insn.encode(BPF_ALU64 | BPF_MUL | BPF_K, 0, 0, 0, 10), Insn.encode(BPF_ALU64 | BPF_ADD | BPF_X, 0, 1, 0, 0), exit()};

    @ParameterizedTest
    @ValueSource(strings = {"riscv64", "riscv32"})
    void tailCallsCallDepthAndArguments(String arch) {
        Tools.require("riscv64-linux-gnu-gcc", "riscv64-linux-gnu-ld", "qemu-" + arch);
        for (CompileOptions o : List.of(CompileOptions.DEFAULT, CompileOptions.DEFAULT.withCompressed(false))) {
            QemuEngine engine = new QemuEngine(RvConformanceTest.backend(arch), RvConformanceTest.writer(arch), o);
            List<QemuEngine.Result> r = engine.runAll(List.of(
                    new QemuEngine.Job(caller(0), u64(5), List.of(TARGET)),
                    new QemuEngine.Job(caller(1), u64(5), List.of(TARGET)),
                    new QemuEngine.Job(SELF, u64(0), List.of(SELF)),
                    new QemuEngine.Job(RECURSE, null),
                    new QemuEngine.Job(FIVE_ARGS, null)));
            for (int i : new int[] {0, 1, 2, 4}) assertNull(r.get(i).error(), arch + " job " + i + ": " + r.get(i).error());
            assertEquals(105, r.get(0).r0(), "the target ran with the caller's r1");
            assertEquals(1, r.get(1).r0(), "index 1 is outside the array: fall through");
            assertEquals(34, r.get(2).r0(), "the first run and 33 tail calls");
            ExecutionException e = assertInstanceOf(ExecutionException.class, r.get(3).error());
            assertEquals(Errno.E2BIG, e.errno());
            assertEquals(0, e.insnIndex());
            assertTrue(e.getMessage().contains("insn 0"), e.getMessage());
            assertEquals(54321, r.get(4).r0(), "r1..r5 reach the callee");
        }
    }
}
