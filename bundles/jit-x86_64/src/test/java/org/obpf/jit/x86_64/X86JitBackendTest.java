package org.obpf.jit.x86_64;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.obpf.api.insn.Opcodes.*;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.obpf.api.BpfException;
import org.obpf.api.Errno;
import org.obpf.api.helper.Helper;
import org.obpf.api.helper.HelperContext;
import org.obpf.api.helper.HelperException;
import org.obpf.api.insn.Insn;
import org.obpf.api.jit.CompileOptions;
import org.obpf.api.jit.CompileRequest;
import org.obpf.api.jit.Feature;
import org.obpf.api.jit.JitBackend;
import org.obpf.api.jit.JitException;
import org.obpf.api.jit.LinkException;
import org.obpf.api.jit.LinkedImage;
import org.obpf.api.jit.RelocatableImage;
import org.obpf.api.jit.Relocation;
import org.obpf.api.jit.Symbol;
import org.obpf.api.jit.SymbolTable;
import org.obpf.api.prog.ProgramType;
import org.obpf.api.text.Assembler;
import org.obpf.core.conformance.InterpreterEngine;
import org.obpf.core.exec.HelperStubs;
import org.obpf.core.exec.HostJitEngine;
import org.obpf.core.exec.JitProgArray;
import org.obpf.core.exec.JitProgArrays;
import org.obpf.core.exec.JitProgram;
import org.obpf.core.helper.HelperTable;
import org.obpf.core.interp.ExecutionException;
import org.obpf.core.tools.ConformancePlugin;

class X86JitBackendTest {
    final X86_64JitBackend jit = new X86_64JitBackend();

    static long[] asm(String source) {
        try {
            return Assembler.assemble(source);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static CompileRequest req(long[] prog, CompileOptions o) {
        return new CompileRequest("t", ProgramType.SOCKET_FILTER, prog, null, null, false, o);
    }

    /** A helper for the tests: r0 = r1 * 2 + r2, or a failure when r1 is 666. */
    static final class Twice implements Helper {
        @Override public int id() { return 6; }
        @Override public String name() { return "twice"; }
        @Override public long call(HelperContext c, long r1, long r2, long r3, long r4, long r5) {
            if (r1 == 666) throw new HelperException("boom");
            if (r1 == 667) throw new IllegalStateException("bug in helper");
            return r1 * 2 + r2;
        }
    }

    static final HelperTable HELPERS = HelperTable.builtins().with(new Twice());

    @Test
    void describesItself() {
        assertEquals("x86_64", jit.arch());
        assertFalse(jit.needsZext());
        assertFalse(jit.capabilities().supports(Feature.KFUNC_CALL));
        assertFalse(jit.capabilities().supports(Feature.LD_ABS_IND));
        assertTrue(jit.capabilities().supports(Feature.TAIL_CALL));
        assertTrue(jit.capabilities().supports(Feature.CMPXCHG));
        assertTrue(jit.capabilities().anyHelper());
    }

    // lddw r1, map#2; lddw r2, map_value#0 + 16; call 6; exit
    static final long[] RELOCATED = {
        Insn.encode(0x18, 1, BPF_PSEUDO_MAP_IDX, 0, 2), Insn.encode(0, 0, 0, 0, 0),
        Insn.encode(0x18, 2, BPF_PSEUDO_MAP_IDX_VALUE, 0, 0), Insn.encode(0, 0, 0, 0, 16),
        Insn.encode(0x85, 0, 0, 0, 6),
        Insn.encode(0x95, 0, 0, 0, 0),
    };

    @Test
    void everyAbsoluteReferenceIsAnR_X86_64_64Relocation() throws JitException {
        RelocatableImage img = jit.compile(req(RELOCATED, CompileOptions.DEFAULT));
        int[] at = img.insnOffsets();
        byte[] code = img.code();
        int thunk = helperThunk(code, at[4]);
        assertEquals(List.of(
                new Relocation(at[0] + 2, 1, "R_X86_64_64", Symbol.map(2), 0),
                new Relocation(at[2] + 2, 1, "R_X86_64_64", Symbol.mapValue(0), 16),
                new Relocation(thunk + 3, 1, "R_X86_64_64", Symbol.helper(6), 0)), img.relocations());
        assertEquals(0x48, code[at[0]] & 0xff);
        assertEquals(0xbf, code[at[0] + 1] & 0xff, "movabs rdi (r1)");
        assertEquals(0xbe, code[at[2] + 1] & 0xff, "movabs rsi (r2)");
        assertEquals(5, at[5] - at[4], "a helper call is call rel32, as in the kernel");
        assertEquals(0x50, code[thunk] & 0xff, "the thunk: push rax, then movabs r11 and call r11");
        assertEquals(0x49, code[thunk + 1] & 0xff);
        assertEquals(0xbb, code[thunk + 2] & 0xff);
        assertArrayEquals(new int[] {0}, img.subprogOffsets());
        assertEquals(X86_64JitBackend.TAIL_CALL_OFFSET + 1, at[0], "sub-program 0's prologue: no frame (no r10), and it writes"
                + " none of r6..r9: push rbx (1) only, for rsp % 16 == 0 at the call");
    }

    /** The helper thunk a {@code call rel32} at {@code at} enters. */
    static int helperThunk(byte[] code, int at) {
        assertEquals(0xe8, code[at] & 0xff, "call rel32");
        int rel = (code[at + 1] & 0xff) | (code[at + 2] & 0xff) << 8 | (code[at + 3] & 0xff) << 16 | code[at + 4] << 24;
        return at + 5 + rel;
    }

    /** rsp % 16 == 0 at every call from a sub-program: its prologue pushes an odd count (rbp, then pairs of r6..r9). */
    @Test
    void everyPrologueKeepsTheStackAlignedForHelperCalls() throws JitException {
        X86Disassembler dis = new X86Disassembler();
        for (int writes = 0; writes <= 4; writes++) {
            List<Long> prog = new java.util.ArrayList<>();
            for (int r = 6; r < 6 + writes; r++) prog.add(Insn.encode(0xb7, r, 0, 0, r));
            prog.add(Insn.encode(0x85, 0, 0, 0, 6));
            prog.add(Insn.encode(0x95, 0, 0, 0, 0));
            RelocatableImage img = jit.compile(req(prog.stream().mapToLong(Long::longValue).toArray(), CompileOptions.DEFAULT));
            byte[] code = img.code();
            int pushes = 0;
            for (var i : dis.decodeAll(java.util.Arrays.copyOfRange(code, X86_64JitBackend.TAIL_CALL_OFFSET, img.insnOffsets()[0]), 0)) {
                if (i.text().startsWith("push")) pushes++;
            }
            assertEquals(1, pushes % 2, writes + " of r6..r9 written: " + pushes + " pushes");
            assertTrue(pushes >= writes, writes + " of r6..r9 written: " + pushes + " pushes");
        }
    }

    @Test
    void linkWritesAbsoluteAddressesAndNamesMissingSymbols() throws Exception {
        RelocatableImage img = jit.compile(req(RELOCATED, CompileOptions.DEFAULT));
        SymbolTable syms = SymbolTable.at(0x7f00_0000_6L).bind(Symbol.map(2), 0x1122_3344_5566_7788L)
                .bind(Symbol.mapValue(0), 0x4000_0000L).bind(Symbol.helper(6), 0x7fff_0000_0010L).build();
        LinkedImage l = jit.link(img, syms);
        MemorySegment code = MemorySegment.ofArray(l.code());
        int[] at = img.insnOffsets();
        int thunk = helperThunk(img.code(), at[4]);
        assertEquals(0x1122_3344_5566_7788L, code.get(ValueLayout.JAVA_LONG_UNALIGNED, at[0] + 2));
        assertEquals(0x4000_0010L, code.get(ValueLayout.JAVA_LONG_UNALIGNED, at[2] + 2));
        assertEquals(0x7fff_0000_0010L, code.get(ValueLayout.JAVA_LONG_UNALIGNED, thunk + 3));
        assertEquals(0x7f00_0000_6L, l.entryAddress());
        LinkException e = assertThrows(LinkException.class, () -> jit.link(img, SymbolTable.at(0).bind(Symbol.map(2), 1).build()));
        assertEquals(List.of("unresolved symbol map_value#0 at offset " + (at[2] + 2),
                "unresolved symbol helper#6 at offset " + (thunk + 3)), e.problems());
    }

    @Test
    void oneImageLinkedAtTwoAddressesGivesTwoWorkingCopies() throws Exception {
        // r6 = map_value#0 + 8; r1 = *(u64 *)r6; r2 = 5; call twice; r0 += *(u64 *)(r6 - 8); exit
        long[] prog = {
            Insn.encode(0x18, 6, BPF_PSEUDO_MAP_IDX_VALUE, 0, 0), Insn.encode(0, 0, 0, 0, 8),
            Insn.encode(BPF_LDX | BPF_MEM | BPF_DW, 1, 6, 0, 0),
            Insn.encode(BPF_ALU64 | BPF_MOV | BPF_K, 2, 0, 0, 5),
            Insn.encode(0x85, 0, 0, 0, 6),
            Insn.encode(BPF_LDX | BPF_MEM | BPF_DW, 1, 6, -8, 0),
            Insn.encode(BPF_ALU64 | BPF_ADD | BPF_X, 0, 1, 0, 0),
            Insn.encode(0x95, 0, 0, 0, 0),
        };
        RelocatableImage img = jit.compile(req(prog, CompileOptions.DEFAULT.withSandbox(true)));
        HelperStubs stubs = new HelperStubs(HELPERS);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment valuesA = arena.allocate(16, 8);
            valuesA.set(ValueLayout.JAVA_LONG, 0, 1000);
            valuesA.set(ValueLayout.JAVA_LONG, 8, 21);
            MemorySegment valuesB = arena.allocate(16, 8);
            valuesB.set(ValueLayout.JAVA_LONG, 0, 2000);
            valuesB.set(ValueLayout.JAVA_LONG, 8, 100);
            try (JitProgram a = JitProgram.load(jit, img, stubs, Map.of(Symbol.mapValue(0), valuesA.address()), null);
                 JitProgram b = JitProgram.load(jit, img, stubs, Map.of(Symbol.mapValue(0), valuesB.address()), null)) {
                a.allow(valuesA, false);
                b.allow(valuesB, false);
                assertNotEquals(a.entryAddress(), b.entryAddress());
                assertEquals(21 * 2 + 5 + 1000, a.run(0, 0, null, false));
                assertEquals(100 * 2 + 5 + 2000, b.run(0, 0, null, false));
                // The two copies differ exactly in the 8 bytes of the map-value relocation.
                byte[] ca = a.linked().code();
                byte[] cb = b.linked().code();
                int reloc = img.relocations().getFirst().offset();
                for (int i = 0; i < ca.length; i++) {
                    if (i >= reloc && i < reloc + 8) continue;
                    assertEquals(ca[i], cb[i], "byte " + i + " depends on the load address");
                }
                assertNotEquals(MemorySegment.ofArray(ca).get(ValueLayout.JAVA_LONG_UNALIGNED, reloc),
                        MemorySegment.ofArray(cb).get(ValueLayout.JAVA_LONG_UNALIGNED, reloc));
            }
        }
    }

    @Test
    void constantBlindingKeepsResultsAndRemovesTheImmediatesFromTheCode() throws Exception {
        long[] prog = asm("""
                mov %r0, 0x12345678
                add %r0, 0x0badf00d
                lddw %r1, 0x1122334455667788
                jeq %r0, 0x1de24685, skip
                mov %r0, 0x3c3c3c3c
                skip:
                stdw [%r10-8], 0x7a6b5c4d
                ldxdw %r2, [%r10-8]
                xor %r0, %r2
                xor %r0, %r1
                exit
                """);
        int[] secrets = {0x12345678, 0x0badf00d, 0x55667788, 0x11223344, 0x1de24685, 0x3c3c3c3c, 0x7a6b5c4d};
        byte[] plain = jit.compile(req(prog, CompileOptions.DEFAULT)).code();
        for (int s : secrets) assertTrue(contains(plain, s), "plain code holds 0x" + Integer.toHexString(s));
        for (int round = 0; round < 20; round++) {
            byte[] blinded = jit.compile(req(prog, CompileOptions.DEFAULT.withBlindConstants(true))).code();
            for (int s : secrets) assertFalse(contains(blinded, s), "blinded code holds 0x" + Integer.toHexString(s));
        }
        long expected = new InterpreterEngine().run(prog, null);
        assertEquals(0x12345678L + 0x0badf00dL ^ 0x7a6b5c4dL ^ 0x1122334455667788L, expected);
        for (CompileOptions o : List.of(CompileOptions.DEFAULT, CompileOptions.DEFAULT.withBlindConstants(true))) {
            assertEquals(expected, new HostJitEngine(jit, o, HelperTable.builtins()).run(prog, null));
        }
    }

    static boolean contains(byte[] code, int value) {
        for (int i = 0; i + 4 <= code.length; i++) {
            if ((code[i] & 0xff | (code[i + 1] & 0xff) << 8 | (code[i + 2] & 0xff) << 16 | (code[i + 3] & 0xff) << 24) == value) return true;
        }
        return false;
    }

    static ExecutionException runFails(HostJitEngine e, long[] prog, byte[] mem) {
        return assertThrows(ExecutionException.class, () -> e.run(prog, mem));
    }

    @Test
    void sandboxTurnsOutOfBoundsAccessesIntoErrors() throws Exception {
        HostJitEngine sandbox = new HostJitEngine(jit, CompileOptions.DEFAULT.withSandbox(true), HelperTable.builtins());
        byte[] mem = new byte[16];
        assertEquals(0, sandbox.run(asm("ldxdw %r0, [%r1+8]\nexit"), mem));
        ExecutionException e = runFails(sandbox, asm("mov %r0, 0\nldxdw %r0, [%r1+9]\nexit"), mem);
        assertEquals(Errno.EFAULT, e.errno());
        assertEquals(1, e.insnIndex());
        assertTrue(e.getMessage().startsWith("insn 1: read of 8 bytes at 0x"), e.getMessage());
        assertTrue(e.getMessage().contains("is outside the memory this run may touch"), e.getMessage());
        // Above the stack, below the frame, far away, a store through a null context.
        assertEquals(1, runFails(sandbox, asm("mov %r0, 0\nstxb [%r10], %r0\nexit"), mem).insnIndex());
        assertEquals(1, runFails(sandbox, asm("mov %r0, 0\nstxdw [%r10-520], %r0\nexit"), mem).insnIndex());
        assertEquals(3, runFails(sandbox, asm("mov %r2, 0\nlddw %r3, 0x60\nldxw %r0, [%r3]\nexit"), mem).insnIndex());
        assertEquals(0, runFails(sandbox, asm("stw [%r1], 1\nexit"), null).insnIndex());
        // Atomics are checked too, and the last byte of the stack is fine.
        assertEquals(2, runFails(sandbox, asm("mov %r0, 1\nstxdw [%r10-8], %r0\nlock add [%r1+16], %r0\nexit"), mem).insnIndex());
        assertEquals(7, sandbox.run(asm("mov %r0, 7\nstxb [%r10-1], %r0\nldxb %r0, [%r10-1]\nexit"), mem));
    }

    @Test
    void readOnlyContextRefusesWritesInSandboxMode() throws Exception {
        try (Arena arena = Arena.ofConfined();
             JitProgram p = JitProgram.load(jit, req(asm("ldxw %r0, [%r1]\nstw [%r1], 5\nexit"), CompileOptions.DEFAULT.withSandbox(true)),
                     new HelperStubs(HelperTable.builtins()), Map.of(), null)) {
            MemorySegment ctx = arena.allocate(8, 8);
            ExecutionException e = assertThrows(ExecutionException.class, () -> p.run(ctx.address(), 8, ctx, false));
            assertTrue(e.getMessage().startsWith("insn 1: write of 4 bytes at 0x" + Long.toHexString(ctx.address())), e.getMessage());
            assertEquals(0, ctx.get(ValueLayout.JAVA_INT, 0));
            assertEquals(0, p.run(ctx.address(), 8, ctx, true));
            assertEquals(5, ctx.get(ValueLayout.JAVA_INT, 0));
        }
    }

    @Test
    void helperFailuresEndTheRunWithoutUnwindingThroughJitCode() throws Exception {
        // main -> f1 -> f2 -> helper, three frames deep
        long[] prog = asm("""
                mov %r6, 77
                call local f1
                add %r0, %r6
                exit
                f1:
                mov %r6, 1
                call local f2
                exit
                f2:
                mov %r2, 3
                call 6
                exit
                """);
        HostJitEngine engine = new HostJitEngine(jit, CompileOptions.DEFAULT, HELPERS);
        assertEquals(10 * 2 + 3 + 77, engine.run(withR1(prog, 10), null));
        ExecutionException e = assertThrows(ExecutionException.class, () -> engine.run(withR1(prog, 666), null));
        assertEquals(Errno.EFAULT, e.errno());
        assertEquals(9, e.insnIndex());
        assertEquals("insn 9: helper bpf_twice (6) failed: boom", e.getMessage());
        ExecutionException bug = assertThrows(ExecutionException.class, () -> engine.run(withR1(prog, 667), null));
        assertTrue(bug.getMessage().contains("threw java.lang.IllegalStateException: bug in helper"), bug.getMessage());
        // The thread and the engine are fine afterwards.
        assertEquals(10 * 2 + 3 + 77, engine.run(withR1(prog, 10), null));
    }

    /** The program with {@code mov r1, v} in front (local call offsets are relative: unaffected). */
    /** Code that cannot fail, calls nothing and has no frame is entered directly: jmp to the body, the body, ret. */
    @Test
    void aProgramWithoutFrameOrCallsIsItsBodyAlone() throws Exception {
        long[] prog = asm("""
                mov %r0, 2
                exit
                """);
        RelocatableImage img = jit.compile(req(prog, CompileOptions.DEFAULT));
        assertArrayEquals(new byte[] {(byte) 0xe9, 0, 0, 0, 0, (byte) 0xb8, 2, 0, 0, 0, (byte) 0xc3}, img.code());
        assertEquals(2, new HostJitEngine(jit, CompileOptions.DEFAULT, HELPERS).run(prog, null));
    }

    /** Call sites of one helper share its thunk; a failure still names the call's own slot, blinded or sandboxed. */
    @Test
    void aFailingHelperCallNamesItsSlotAmongCallsOfTheSameHelper() throws Exception {
        long[] prog = withR1(asm("""
                mov %r6, %r1
                mov %r1, 5
                mov %r2, 0x12345
                call 6
                mov %r1, %r6
                mov %r2, 0x54321
                call 6
                exit
                """), 666);
        for (CompileOptions o : List.of(CompileOptions.DEFAULT, CompileOptions.DEFAULT.withBlindConstants(true),
                CompileOptions.DEFAULT.withSandbox(true), CompileOptions.DEFAULT.withBlindConstants(true).withSandbox(true))) {
            HostJitEngine engine = new HostJitEngine(jit, o, HELPERS);
            ExecutionException e = assertThrows(ExecutionException.class, () -> engine.run(prog, null), o.toString());
            assertEquals("insn 7: helper bpf_twice (6) failed: boom", e.getMessage(), o.toString());
            assertEquals(7, e.insnIndex());
            long[] ok = prog.clone();
            ok[0] = Insn.encode(BPF_ALU64 | BPF_MOV | BPF_K, 1, 0, 0, 3);
            assertEquals(6 + 0x54321, engine.run(ok, null), o.toString());
        }
    }

    static long[] withR1(long[] prog, int v) {
        long[] p = new long[prog.length + 1];
        p[0] = Insn.encode(BPF_ALU64 | BPF_MOV | BPF_K, 1, 0, 0, v);
        System.arraycopy(prog, 0, p, 1, prog.length);
        return p;
    }

    /** Sandbox mode (unverified code) checks the call depth; verified code calls as the kernel's JIT does. */
    @Test
    void callChainsDeeperThanEightFramesEndWithE2big() throws Exception {
        long[] recursive = asm("""
                mov %r0, 0
                call local f
                exit
                f:
                add %r0, 1
                call local f
                exit
                """);
        long[] plain = asm("mov %r0, 0\ncall local f\nexit\nf:\nmov %r0, 1\nexit\n");
        int[] at = jit.compile(req(plain, CompileOptions.DEFAULT)).insnOffsets();
        assertEquals(5, at[2] - at[1], "call rel32 alone");
        assertEquals(1, new HostJitEngine(jit).run(plain, null));
        HostJitEngine engine = new HostJitEngine(jit, CompileOptions.DEFAULT.withSandbox(true), HelperTable.builtins());
        ExecutionException e = assertThrows(ExecutionException.class, () -> engine.run(recursive, null));
        assertEquals(Errno.E2BIG, e.errno());
        assertEquals(4, e.insnIndex());
        ExecutionException i = assertThrows(ExecutionException.class, () -> new InterpreterEngine().run(recursive, null));
        assertEquals(Errno.E2BIG, i.errno());
        assertEquals(4, i.insnIndex());
        // Seven nested calls (eight frames) are fine; each frame has its own 512 bytes.
        StringBuilder sb = new StringBuilder("mov %r0, 0\nstxdw [%r10-8], %r0\ncall local f1\nldxdw %r1, [%r10-8]\nadd %r0, %r1\nexit\n");
        for (int f = 1; f <= 7; f++) {
            sb.append("f").append(f).append(":\nmov %r1, ").append(f).append("\nstxdw [%r10-512], %r1\n");
            if (f < 7) sb.append("call local f").append(f + 1).append('\n');
            sb.append("ldxdw %r1, [%r10-512]\nadd %r0, %r1\nexit\n");
        }
        long[] deep = asm(sb.toString());
        assertEquals(28, new InterpreterEngine().run(deep, null));
        assertEquals(28, engine.run(deep, null));
        assertEquals(28, new HostJitEngine(jit).run(deep, null));
    }

    @Test
    void tailCallsStopAtTheKernelLimitOf33() throws Exception {
        // ++*(u64 *)r1; r0 = 99; tail call to slot *(u64 *)(r1 + 8) of map#0; r0 += 1
        long[] prog = {
            Insn.encode(BPF_ALU64 | BPF_MOV | BPF_K, 2, 0, 0, 1),
            Insn.encode(BPF_STX | BPF_ATOMIC | BPF_DW, 1, 2, 0, BPF_ADD),
            Insn.encode(BPF_LDX | BPF_MEM | BPF_DW, 3, 1, 8, 0),
            Insn.encode(0x18, 2, BPF_PSEUDO_MAP_IDX, 0, 0), Insn.encode(0, 0, 0, 0, 0),
            Insn.encode(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 99),
            Insn.encode(0x85, 0, 0, 0, 12),
            Insn.encode(BPF_ALU64 | BPF_ADD | BPF_K, 0, 0, 0, 1),
            Insn.encode(0x95, 0, 0, 0, 0),
        };
        JitProgArrays arrays = new JitProgArrays();
        JitProgArray array = arrays.register(new JitProgArray(4));
        for (CompileOptions o : List.of(CompileOptions.DEFAULT, CompileOptions.DEFAULT.withSandbox(true).withBlindConstants(true))) {
            try (Arena arena = Arena.ofConfined();
                 JitProgram p = JitProgram.load(jit, req(prog, o), new HelperStubs(HelperTable.builtins()),
                         Map.of(Symbol.map(0), array.address()), arrays)) {
                array.set(0, p);
                MemorySegment ctx = arena.allocate(16, 8);
                assertEquals(100, p.run(ctx));
                assertEquals(34, ctx.get(ValueLayout.JAVA_LONG, 0), "the first run and 33 tail calls");
                ctx.set(ValueLayout.JAVA_LONG, 0, 0);
                ctx.set(ValueLayout.JAVA_LONG, 8, 1); // empty slot: falls through, r0 kept
                assertEquals(100, p.run(ctx));
                assertEquals(1, ctx.get(ValueLayout.JAVA_LONG, 0));
                ctx.set(ValueLayout.JAVA_LONG, 0, 0);
                ctx.set(ValueLayout.JAVA_LONG, 8, 4); // out of range
                assertEquals(100, p.run(ctx));
                assertEquals(1, ctx.get(ValueLayout.JAVA_LONG, 0));
                array.set(0, null);
            }
        }
    }

    @Test
    void unloadingWaitsForTheRunsInside() throws Exception {
        AtomicReference<JitProgram> self = new AtomicReference<>();
        AtomicBoolean unmappedInside = new AtomicBoolean(true);
        Helper unload = new Helper() {
            @Override public int id() { return 14; }
            @Override public String name() { return "unload"; }
            @Override public long call(HelperContext c, long r1, long r2, long r3, long r4, long r5) {
                self.get().close();
                unmappedInside.set(self.get().memory().isUnmapped());
                return 42;
            }
        };
        JitProgram p = JitProgram.load(jit, req(asm("call 14\nadd %r0, 1\nexit"), CompileOptions.DEFAULT),
                new HelperStubs(HelperTable.builtins().with(unload)), Map.of(), null);
        self.set(p);
        assertTrue(p.memory().isSealed());
        assertEquals(43, p.run(null));
        assertFalse(unmappedInside.get(), "still mapped while the run is inside");
        assertTrue(p.memory().isUnmapped());
        ExecutionException e = assertThrows(ExecutionException.class, () -> p.run(null));
        assertEquals("program is unloaded", e.getMessage());
    }

    @Test
    void oneProgramRunsOnManyThreadsAtOnce() throws Exception {
        // r6 = ctx; stack and a helper call per run; r0 = twice(*(u64 *)r6, 7) + the value stored on the stack
        long[] prog = asm("""
                mov %r6, %r1
                ldxdw %r1, [%r6]
                stxdw [%r10-8], %r1
                mov %r2, 7
                call 6
                ldxdw %r1, [%r10-8]
                add %r0, %r1
                exit
                """);
        try (JitProgram p = JitProgram.load(jit, req(prog, CompileOptions.DEFAULT.withSandbox(true)), new HelperStubs(HELPERS), Map.of(), null)) {
            List<Thread> threads = new java.util.ArrayList<>();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            for (int t = 0; t < 4; t++) {
                final long seed = 1000 + t * 1_000_000L; // clear of 666 and 667, which make the helper fail
                threads.add(Thread.ofPlatform().start(() -> {
                    try (Arena arena = Arena.ofConfined()) {
                        MemorySegment ctx = arena.allocate(8, 8);
                        for (long i = 0; i < 2000; i++) {
                            ctx.set(ValueLayout.JAVA_LONG, 0, seed + i);
                            long r0 = p.run(ctx);
                            if (r0 != 3 * (seed + i) + 7) throw new AssertionError("run " + i + ": " + r0);
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                }));
            }
            for (Thread t : threads) t.join();
            if (failure.get() != null) throw new AssertionError(failure.get());
            assertEquals(0, p.memory().activeRuns());
        }
    }

    @Test
    void refusalsNameTheInstruction() {
        JitException kfunc = assertThrows(JitException.class, () -> jit.compile(req(new long[] {
            Insn.encode(0x85, 0, BPF_PSEUDO_KFUNC_CALL, 0, 7), Insn.encode(0x95, 0, 0, 0, 0)}, null)));
        assertEquals("x86_64: insn 0: kfunc calls are not supported", kfunc.getMessage());
        JitException fd = assertThrows(JitException.class, () -> jit.compile(req(new long[] {
            Insn.encode(0x18, 1, BPF_PSEUDO_MAP_FD, 0, 3), 0, Insn.encode(0x95, 0, 0, 0, 0)}, null)));
        assertEquals("x86_64: insn 0: lddw with pseudo source 1 must be resolved by the prelink passes before code generation", fd.getMessage());
        JitException bad = assertThrows(JitException.class, () -> jit.compile(req(new long[] {
            Insn.encode(BPF_ALU64 | BPF_MOV | BPF_K, 10, 0, 0, 0), Insn.encode(0x95, 0, 0, 0, 0)}, null)));
        assertEquals(0, bad.insnIndex());
        assertEquals(1, assertThrows(JitException.class, () -> jit.compile(req(new long[] {
            Insn.encode(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0), Insn.encode(BPF_JMP | BPF_JA, 0, 0, 5, 0)}, null))).insnIndex());
    }

    @Test
    void foundByServiceLoaderAndThroughTheConformancePlugin() {
        List<String> archs = ServiceLoader.load(JitBackend.class).stream().map(p -> p.get().arch()).toList();
        assertEquals(List.of("x86_64"), archs);
        assertTrue(HostJitEngine.discover(getClass().getClassLoader()).containsKey("x86_64"));
        // add.data: = 3
        String add = "b400000000000000b40100000200000004000000010000000c100000000000000c0000000000000004000000fdffffff9500000000000000";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = ConformancePlugin.run(new String[] {"--engine", "x86_64"}, new ByteArrayInputStream(add.getBytes(StandardCharsets.US_ASCII)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
        assertEquals("3\n", out.toString(StandardCharsets.UTF_8));
        // ldxdw r0, [r1+8] on 8 bytes: refused by the sandbox, status 1
        out.reset();
        status = ConformancePlugin.run(new String[] {"--engine=x86_64", "0102030405060708"},
                new ByteArrayInputStream(HexFormat.of().formatHex(new byte[] {0x79, 0x10, 8, 0, 0, 0, 0, 0, (byte) 0x95, 0, 0, 0, 0, 0, 0, 0})
                        .getBytes(StandardCharsets.US_ASCII)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(1, status);
        out.reset();
        ConformancePlugin.run(new String[] {"--help"}, new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("engines: interp, x86_64"), out.toString(StandardCharsets.UTF_8));
    }
}
