package org.obpf.jit.x86_64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.obpf.api.insn.Opcodes.*;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.obpf.api.BpfException;
import org.obpf.api.Errno;
import org.obpf.api.insn.Insn;
import org.obpf.api.jit.CompileOptions;
import org.obpf.api.map.MapSpec;
import org.obpf.api.map.MapType;
import org.obpf.api.prog.ProgramType;
import org.obpf.api.text.Assembler;
import org.obpf.core.exec.JitExecution;
import org.obpf.core.helper.HelperTable;
import org.obpf.core.interp.ExecutionException;
import org.obpf.core.map.MapTable;
import org.obpf.core.prelink.Prelinked;
import org.obpf.core.prelink.Prelinker;
import org.obpf.core.run.ExecutionEngine;
import org.obpf.core.run.InterpreterExecution;

/**
 * Helpers that call back into BPF code ({@code bpf_loop}, {@code bpf_for_each_map_elem}) on the
 * x86-64 JIT in every mode, next to the interpreter: exact results, early exit (the callback
 * returns 1), nested callbacks, the callback's own stack frame, and failures inside a callback
 * (a refused access, too many frames, a forged callback pointer) ending the run cleanly.
 */
class X86CallbackTest {
    /** {@code lddw rX, CB+slot} in the text becomes {@code lddw rX, BPF_PSEUDO_FUNC} to that slot. */
    static final long CB = 0x7ff0_0000_0000_0000L;
    static final long MAP = 0x7fd0_0000_0000_0000L;

    static String cb(int slot) {
        return "0x" + Long.toHexString(CB + slot);
    }

    static String map(int fd) {
        return "0x" + Long.toHexString(MAP + fd);
    }

    static long[] asm(String text) throws Exception {
        long[] p = Assembler.assemble(text);
        for (int pc = 0; pc + 1 < p.length; pc++) {
            if (Insn.code(p[pc]) != (BPF_LD | BPF_IMM | BPF_DW)) continue;
            long v = (Insn.imm(p[pc]) & 0xffffffffL) | (long) Insn.imm(p[pc + 1]) << 32;
            int dst = Insn.dst(p[pc]);
            if ((v & 0xfff0_0000_0000_0000L) == CB) {
                p[pc] = Insn.encode(BPF_LD | BPF_IMM | BPF_DW, dst, BPF_PSEUDO_FUNC, 0, (int) (v & 0xffff) - pc - 1);
                p[pc + 1] = 0;
            } else if ((v & 0xfff0_0000_0000_0000L) == MAP) {
                p[pc] = Insn.encode(BPF_LD | BPF_IMM | BPF_DW, dst, BPF_PSEUDO_MAP_FD, 0, (int) (v & 0xffff));
                p[pc + 1] = 0;
            }
            pc++;
        }
        return p;
    }

    static Stream<Arguments> engines() {
        X86_64JitBackend x86 = new X86_64JitBackend();
        return Stream.of(
                Arguments.of("interpreter", new InterpreterExecution()),
                Arguments.of("jit", new JitExecution(x86, CompileOptions.DEFAULT)),
                Arguments.of("jit-sandbox", new JitExecution(x86, CompileOptions.DEFAULT.withSandbox(true))),
                Arguments.of("jit-blinded-sandbox", new JitExecution(x86, CompileOptions.DEFAULT.withSandbox(true).withBlindConstants(true))));
    }

    static Stream<Arguments> sandboxed() {
        return engines().filter(a -> !a.get()[0].equals("jit") && !a.get()[0].equals("jit-blinded"));
    }

    private final MapTable maps = new MapTable(2);

    private long run(ExecutionEngine engine, String text) throws Exception {
        Prelinked p = Prelinker.prelink(asm(text), ProgramType.FLAT, maps::get, HelperTable.builtins(ProgramType.FLAT),
                Prelinker.Options.DEFAULT);
        return engine.prepare(p).run(0, 0, List.of());
    }

    /** bpf_loop(N, cb, &sum, 0); cb(i, ctx): sum += i, stops after index 3; r0 = sum << 8 | iterations. */
    static final String LOOP = """
            mov %r1, N
            lddw %r2, CB
            mov %r3, %r10
            add %r3, -8
            stdw [%r10-8], 0
            mov %r4, 0
            call 181
            ldxdw %r1, [%r10-8]
            lsh %r1, 8
            or %r0, %r1
            exit
            ldxdw %r3, [%r2]
            add %r3, %r1
            stxdw [%r2], %r3
            mov %r0, 0
            jne %r1, 3, +1
            mov %r0, 1
            exit
            """.replace("CB", cb(12));

    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void bpfLoopRunsTheCallbackUntilItReturnsOne(String name, ExecutionEngine engine) throws Exception {
        assertEquals(3 << 8 | 3, run(engine, LOOP.replace("N", "3")), "0+1+2, 3 iterations");
        assertEquals(0, run(engine, LOOP.replace("N", "0")), "no iterations");
        assertEquals(6 << 8 | 4, run(engine, LOOP.replace("N", "9")), "stops after index 3");
        assertEquals(-Errno.E2BIG.value(), run(engine, LOOP.replace("N", "0x800001")), "more than BPF_MAX_LOOPS");
    }

    /**
     * Nested: the outer callback (slot 10) runs an inner bpf_loop of (i + 1) iterations whose
     * callback (slot 29) adds 100 * outer + inner to the main frame's counter through the context
     * pointer, and keeps r6..r9 and its own stack slot across the inner call. 4 outer iterations:
     * sum over i < 4, j <= i of 100 i + j = 2000 + 10 = 2010; r0 = 2010 << 8 | 4.
     */
    static final String NESTED = """
            mov %r1, 4
            lddw %r2, OUTER
            mov %r3, %r10
            add %r3, -8
            stdw [%r10-8], 0
            mov %r4, 0
            call 181
            ldxdw %r1, [%r10-8]
            lsh %r1, 8
            or %r0, %r1
            exit
            mov %r6, %r1
            mov %r7, %r2
            stxdw [%r10-16], %r2
            stxdw [%r10-8], %r1
            add %r1, 1
            lddw %r2, INNER
            mov %r3, %r10
            add %r3, -16
            mov %r4, 0
            call 181
            ldxdw %r1, [%r10-8]
            jne %r1, %r6, +2
            mov %r0, 0
            exit
            mov %r0, 1
            exit
            ldxdw %r4, [%r2]
            ldxdw %r5, [%r2+8]
            ldxdw %r3, [%r4]
            mul %r5, 100
            add %r3, %r5
            add %r3, %r1
            stxdw [%r4], %r3
            stdw [%r10-8], 77
            mov %r0, 0
            exit
            """.replace("OUTER", cb(12)).replace("INNER", cb(29));

    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void nestedLoopsEachGetTheirOwnFrame(String name, ExecutionEngine engine) throws Exception {
        assertEquals(2010L << 8 | 4, run(engine, NESTED));
    }

    /** for_each(map, cb, &sum): sum += *value, stops when sum >= STOP; r0 = sum << 8 | visited. */
    static final String FOR_EACH = """
            lddw %r1, MAP
            lddw %r2, CB
            mov %r3, %r10
            add %r3, -8
            stdw [%r10-8], 0
            mov %r4, 0
            call 164
            ldxdw %r1, [%r10-8]
            lsh %r1, 8
            or %r0, %r1
            exit
            ldxdw %r5, [%r3]
            ldxdw %r6, [%r4]
            add %r6, %r5
            stxdw [%r4], %r6
            mov %r0, 0
            jlt %r6, STOP, +1
            mov %r0, 1
            exit
            """.replace("CB", cb(13));

    static byte[] u32(int v) {
        return new byte[] {(byte) v, (byte) (v >> 8), (byte) (v >> 16), (byte) (v >> 24)};
    }

    static byte[] u64(long v) {
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) b[i] = (byte) (v >>> (8 * i));
        return b;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("engines")
    void forEachMapElemVisitsUntilTheCallbackReturnsOne(String name, ExecutionEngine engine) throws Exception {
        int fd = maps.create(new MapSpec("a", MapType.ARRAY, 4, 8, 4, 0));
        for (int i = 0; i < 4; i++) maps.get(fd).update(u32(i), u64(i + 1), 0);
        String prog = FOR_EACH.replace("MAP", map(fd));
        assertEquals(10 << 8 | 4, run(engine, prog.replace("STOP", "100")), "1+2+3+4 over 4 elements");
        assertEquals(3 << 8 | 2, run(engine, prog.replace("STOP", "3")), "stops after 2 elements");
        int h = maps.create(new MapSpec("h", MapType.HASH, 4, 8, 4, 0));
        maps.get(h).update(u32(5), u64(50), 0);
        maps.get(h).update(u32(6), u64(60), 0);
        assertEquals(110 << 8 | 2, run(engine, FOR_EACH.replace("MAP", map(h)).replace("STOP", "1000")), "hash map");
    }

    /** The callback (slot 7) reads 8 bytes at ctx + 4096: outside every region. */
    static final String FAULT = """
            mov %r1, 3
            lddw %r2, CB
            mov %r3, %r10
            mov %r4, 0
            call 181
            exit
            mov %r0, 0
            ldxdw %r0, [%r2+4096]
            exit
            """.replace("CB", cb(7));

    @ParameterizedTest(name = "{0}")
    @MethodSource("sandboxed")
    void aRefusedAccessInACallbackEndsTheRunAtThatInstruction(String name, ExecutionEngine engine) throws Exception {
        ExecutionException e = assertThrows(ExecutionException.class, () -> run(engine, FAULT));
        assertEquals(Errno.EFAULT, e.errno());
        assertEquals(8, e.insnIndex(), e.getMessage());
        // the engine is still usable afterwards, on the same thread
        assertEquals(3 << 8 | 3, run(engine, LOOP.replace("N", "3")));
    }

    /** The callback (slot 7) calls bpf_loop with itself: the 8th frame is refused. */
    static final String RECURSE = """
            mov %r1, 1
            lddw %r2, CB
            mov %r3, 0
            mov %r4, 0
            call 181
            exit
            mov %r1, 1
            lddw %r2, CB
            mov %r3, 0
            mov %r4, 0
            call 181
            exit
            """.replace("CB", cb(7));

    @ParameterizedTest(name = "{0}")
    @MethodSource("sandboxed")
    void callbacksBeyondEightFramesAreRefused(String name, ExecutionEngine engine) throws Exception {
        ExecutionException e = assertThrows(ExecutionException.class, () -> run(engine, RECURSE));
        assertEquals(Errno.EFAULT, e.errno());
        assertEquals(12, e.insnIndex(), e.getMessage());
        assertTrue(e.getMessage().contains("callback exceeds 8 frames (MAX_CALL_FRAMES)"), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sandboxed")
    void aForgedCallbackPointerIsRefused(String name, ExecutionEngine engine) throws Exception {
        // r2 = the program's own callback address plus one: never a callback entry
        String prog = """
                mov %r1, 1
                lddw %r2, CB
                add %r2, 1
                mov %r3, 0
                mov %r4, 0
                call 181
                exit
                mov %r0, 0
                exit
                """.replace("CB", cb(8));
        ExecutionException e = assertThrows(ExecutionException.class, () -> run(engine, prog));
        assertEquals(Errno.EFAULT, e.errno());
        assertEquals(6, e.insnIndex(), e.getMessage());
        assertTrue(e.getMessage().contains("is not a callback of the running program"), e.getMessage());
    }
}
