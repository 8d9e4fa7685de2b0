package org.obpf.core.interp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.obpf.api.insn.Opcodes.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.obpf.api.BpfException;
import org.obpf.api.Errno;
import org.obpf.api.helper.Helper;
import org.obpf.api.helper.HelperContext;
import org.obpf.api.map.MapSpec;
import org.obpf.api.map.MapType;
import org.obpf.core.helper.HelperTable;
import org.obpf.core.map.Maps;
import org.obpf.core.map.ProgArrayMap;

class InterpreterTest {
    private final Arena arena = Arena.ofConfined();
    private final Interpreter vm = new Interpreter();

    @AfterEach
    void close() {
        arena.close();
    }

    private long run(Asm asm) throws BpfException {
        return vm.run(Program.load(asm.words(), HelperTable.builtins()), (MemorySegment) null);
    }

    private long run(Asm asm, MemorySegment mem) throws BpfException {
        return vm.run(Program.load(asm.words(), HelperTable.builtins()), mem);
    }

    private static BpfException refused(Asm asm) {
        return assertThrows(BpfException.class, () -> Program.load(asm.words(), HelperTable.builtins()));
    }

    private ExecutionException fails(Asm asm, MemorySegment mem) {
        return assertThrows(ExecutionException.class, () -> run(asm, mem));
    }

    // ---- arithmetic corner cases of RFC 9669 section 4.1 ----

    @Test
    void signedDivisionOverflowGivesIntMinAndModuloZero() throws BpfException {
        assertEquals(Long.MIN_VALUE, run(new Asm().lddw(0, Long.MIN_VALUE).insn(BPF_ALU64 | BPF_DIV | BPF_K, 0, 0, 1, -1).exit()));
        assertEquals(0, run(new Asm().lddw(0, Long.MIN_VALUE).insn(BPF_ALU64 | BPF_MOD | BPF_K, 0, 0, 1, -1).exit()));
        assertEquals(0x80000000L, run(new Asm().mov64(0, Integer.MIN_VALUE).insn(BPF_ALU | BPF_DIV | BPF_K, 0, 0, 1, -1).exit()));
        assertEquals(0, run(new Asm().mov64(0, Integer.MIN_VALUE).insn(BPF_ALU | BPF_MOD | BPF_K, 0, 0, 1, -1).exit()));
        // smod truncates towards zero: -7 s% 2 = -1
        assertEquals(-1L, run(new Asm().mov64(0, -7).insn(BPF_ALU64 | BPF_MOD | BPF_K, 0, 0, 1, 2).exit()));
        assertEquals(0xffffffffL, run(new Asm().mov64(0, -7).insn(BPF_ALU | BPF_MOD | BPF_K, 0, 0, 1, 2).exit()));
    }

    @Test
    void divisionByZeroGivesZeroAndModuloByZeroKeepsTheDividend() throws BpfException {
        assertEquals(0, run(new Asm().mov64(0, 7).mov64(1, 0).alu64Reg(BPF_DIV, 0, 1).exit()));
        assertEquals(0, run(new Asm().mov64(0, 7).mov64(1, 0).insn(BPF_ALU64 | BPF_DIV | BPF_X, 0, 1, 1, 0).exit()));
        assertEquals(-7L, run(new Asm().mov64(0, -7).mov64(1, 0).alu64Reg(BPF_MOD, 0, 1).exit()));
        assertEquals(-7L, run(new Asm().mov64(0, -7).mov64(1, 0).insn(BPF_ALU64 | BPF_MOD | BPF_X, 0, 1, 1, 0).exit()));
        // 32-bit: the dividend's low half, zero-extended
        assertEquals(0xfffffff9L, run(new Asm().mov64(0, -7).mov64(1, 0).alu32Reg(BPF_MOD, 0, 1).exit()));
        assertEquals(0xfffffff9L, run(new Asm().mov64(0, -7).mov64(1, 0).insn(BPF_ALU | BPF_MOD | BPF_X, 0, 1, 1, 0).exit()));
        assertEquals(0, run(new Asm().mov64(0, -7).mov64(1, 0).alu32Reg(BPF_DIV, 0, 1).exit()));
        // the 32-bit divisor is the low half of the register: 0x1_0000_0000 is zero
        assertEquals(0, run(new Asm().mov64(0, 9).lddw(1, 0x1_0000_0000L).alu32Reg(BPF_DIV, 0, 1).exit()));
    }

    @Test
    void unsignedDivisionTreatsTheImmediateAsSignExtendedFor64Bits() throws BpfException {
        // ALU64: imm -1 is 0xffff_ffff_ffff_ffff, so 5 / that is 0 and -1 / that is 1
        assertEquals(1, run(new Asm().mov64(0, -1).alu64Imm(BPF_DIV, 0, -1).exit()));
        // ALU: imm -1 is 0xffff_ffff
        assertEquals(1, run(new Asm().mov64(0, -1).alu32Imm(BPF_DIV, 0, -1).exit()));
        assertEquals(0x7fffffffL, run(new Asm().mov64(0, -2).alu32Imm(BPF_DIV, 0, 2).exit()));
    }

    @Test
    void shiftAmountsAreMaskedAnd32BitResultsZeroExtended() throws BpfException {
        assertEquals(2, run(new Asm().mov64(0, 1).alu64Imm(BPF_LSH, 0, 65).exit()));
        assertEquals(2, run(new Asm().mov64(0, 1).alu32Imm(BPF_LSH, 0, 33).exit()));
        assertEquals(0xffffffffL, run(new Asm().mov64(0, -1).alu32Imm(BPF_ARSH, 0, 0).exit()));
        assertEquals(0xffffffffL, run(new Asm().mov64(0, Integer.MIN_VALUE).alu32Imm(BPF_ARSH, 0, 31).exit()));
        assertEquals(-1L, run(new Asm().mov64(0, Integer.MIN_VALUE).alu64Imm(BPF_ARSH, 0, 63).exit()));
        assertEquals(0x80000000L, run(new Asm().mov64(0, Integer.MIN_VALUE).alu32Imm(BPF_NEG, 0, 0).exit()));
    }

    @Test
    void movsxSignExtends8And16And32Bits() throws BpfException {
        assertEquals(-1L, run(new Asm().mov64(1, 0xff).insn(BPF_ALU64 | BPF_MOV | BPF_X, 0, 1, 8, 0).exit()));
        assertEquals(-32768L, run(new Asm().mov64(1, 0x8000).insn(BPF_ALU64 | BPF_MOV | BPF_X, 0, 1, 16, 0).exit()));
        assertEquals(Integer.MIN_VALUE, run(new Asm().lddw(1, 0x1_8000_0000L).insn(BPF_ALU64 | BPF_MOV | BPF_X, 0, 1, 32, 0).exit()));
        assertEquals(0xffff8000L, run(new Asm().mov64(1, 0x8000).insn(BPF_ALU | BPF_MOV | BPF_X, 0, 1, 16, 0).exit()));
        assertEquals(0x7fL, run(new Asm().mov64(1, 0x17f).insn(BPF_ALU | BPF_MOV | BPF_X, 0, 1, 8, 0).exit()));
        assertEquals("insn 1: BPF_MOV uses reserved fields",
                refused(new Asm().mov64(1, 1).insn(BPF_ALU | BPF_MOV | BPF_X, 0, 1, 32, 0).exit()).getMessage());
    }

    @Test
    void byteSwaps() throws BpfException {
        long v = 0x0102030405060708L;
        assertEquals(0x0807L, run(new Asm().lddw(0, v).insn(BPF_ALU | BPF_END | BPF_TO_BE, 0, 0, 0, 16).exit()));
        assertEquals(0x08070605L, run(new Asm().lddw(0, v).insn(BPF_ALU | BPF_END | BPF_TO_BE, 0, 0, 0, 32).exit()));
        assertEquals(0x0807060504030201L, run(new Asm().lddw(0, v).insn(BPF_ALU | BPF_END | BPF_TO_BE, 0, 0, 0, 64).exit()));
        assertEquals(0x0708L, run(new Asm().lddw(0, v).insn(BPF_ALU | BPF_END | BPF_TO_LE, 0, 0, 0, 16).exit()));
        assertEquals(0x05060708L, run(new Asm().lddw(0, v).insn(BPF_ALU | BPF_END | BPF_TO_LE, 0, 0, 0, 32).exit()));
        assertEquals(0x0807L, run(new Asm().lddw(0, v).insn(BPF_ALU64 | BPF_END | BPF_TO_LE, 0, 0, 0, 16).exit()));
        assertEquals("insn 0: BPF_END uses reserved fields",
                refused(new Asm().insn(BPF_ALU | BPF_END | BPF_TO_BE, 0, 0, 0, 8).exit()).getMessage());
    }

    @Test
    void jump32ComparesTheLowHalvesOnly() throws BpfException {
        // r1 = 0x1_0000_0001: 64-bit compare with 1 is false, 32-bit compare is true
        Asm asm = new Asm().mov64(0, 0).lddw(1, 0x1_0000_0001L)
                .insn(BPF_JMP32 | BPF_JEQ | BPF_K, 1, 0, 1, 1).exit().mov64(0, 1).exit();
        assertEquals(1, run(asm));
        Asm wide = new Asm().mov64(0, 0).lddw(1, 0x1_0000_0001L).jmpImm(BPF_JEQ, 1, 1, 1).exit().mov64(0, 1).exit();
        assertEquals(0, run(wide));
        // gotol: JMP32 | JA with the offset in imm
        assertEquals(3, run(new Asm().mov64(0, 3).insn(BPF_JMP32 | BPF_JA, 0, 0, 0, 1).mov64(0, 4).exit()));
    }

    @Test
    void signExtendingLoads() throws BpfException {
        MemorySegment mem = arena.allocate(8, 8);
        mem.set(ValueLayout.JAVA_LONG, 0, 0x00000000_8000_ff80L);
        assertEquals(-128L, run(new Asm().insn(BPF_LDX | BPF_MEMSX | BPF_B, 0, 1, 0, 0).exit(), mem));
        assertEquals(0x80L, run(new Asm().ldx(BPF_B, 0, 1, 0).exit(), mem));
        assertEquals(-128L, run(new Asm().insn(BPF_LDX | BPF_MEMSX | BPF_H, 0, 1, 0, 0).exit(), mem));
        assertEquals((long) (int) 0x8000ff80L,
                run(new Asm().insn(BPF_LDX | BPF_MEMSX | BPF_W, 0, 1, 0, 0).exit(), mem));
        assertEquals(0x8000ff80L, run(new Asm().ldx(BPF_W, 0, 1, 0).exit(), mem));
    }

    // ---- memory safety ----

    @Test
    void outOfBoundsReadEndsTheRunNamingInstructionAddressAndWidth() {
        MemorySegment mem = arena.allocate(4, 8);
        Asm asm = new Asm().mov64(0, 0).ldx(BPF_W, 0, 1, 2).exit();
        ExecutionException e = fails(asm, mem);
        assertEquals(1, e.insnIndex());
        assertEquals(Errno.EFAULT, e.errno());
        String expected = "insn 1 (op 0x61): read of 4 bytes at 0x" + Long.toHexString(mem.address() + 2)
                + " is outside the memory this run may touch";
        assertTrue(e.getMessage().startsWith(expected), e.getMessage());
        assertTrue(e.getMessage().contains("context 0x" + Long.toHexString(mem.address()) + "..0x"
                + Long.toHexString(mem.address() + 4) + " rw"), e.getMessage());
    }

    @Test
    void wildPointersAndNullAreRefusedWithoutCrashing() {
        for (long address : new long[] {0, 8, -1, Long.MIN_VALUE, Long.MAX_VALUE, 0x7fff_ffff_f000L}) {
            Asm asm = new Asm().lddw(1, address).stx(BPF_DW, 1, 1, 0).mov64(0, 0).exit();
            ExecutionException e = fails(asm, null);
            assertEquals(2, e.insnIndex());
            assertTrue(e.getMessage().contains("write of 8 bytes at 0x" + Long.toHexString(address)), e.getMessage());
        }
    }

    @Test
    void stackIsTheFrame512BytesBelowR10() throws BpfException {
        assertEquals(0, run(new Asm().st(BPF_DW, 10, -512, 0).ldx(BPF_DW, 0, 10, -512).exit()));
        ExecutionException below = fails(new Asm().ldx(BPF_B, 0, 10, -513).exit(), null);
        assertTrue(below.getMessage().contains("read of 1 bytes at 0x"), below.getMessage());
        ExecutionException above = fails(new Asm().ldx(BPF_DW, 0, 10, -4).exit(), null);
        assertTrue(above.getMessage().contains("read of 8 bytes"), above.getMessage());
    }

    @Test
    void stackStartsZeroedOnEveryRun() throws BpfException {
        assertEquals(0x55, run(new Asm().st(BPF_DW, 10, -8, 0x55).ldx(BPF_DW, 0, 10, -8).exit()));
        assertEquals(0, run(new Asm().ldx(BPF_DW, 0, 10, -8).exit()));
    }

    @Test
    void readOnlyRegionsRefuseWrites() throws BpfException {
        MemorySegment ro = arena.allocate(8, 8);
        ro.set(ValueLayout.JAVA_LONG, 0, 42);
        vm.allow(ro, false);
        Asm read = new Asm().lddw(1, ro.address()).ldx(BPF_DW, 0, 1, 0).exit();
        assertEquals(42, run(read));
        ExecutionException e = fails(new Asm().lddw(1, ro.address()).st(BPF_B, 1, 0, 1).mov64(0, 0).exit(), null);
        assertEquals(Errno.EACCES, e.errno());
        assertTrue(e.getMessage().contains("into read-only allowed region"), e.getMessage());
        vm.clearAllowed();
        assertThrows(ExecutionException.class, () -> run(read));
    }

    @Test
    void aCalleesFrameIsGoneAfterItReturns() {
        // the callee writes at its r10 - 8; after the return the caller reaches for that address
        Asm asm = new Asm().callLocal(3)
                .ldx(BPF_DW, 0, 10, -MAX_BPF_STACK - 8).exit()
                .exit()
                .st(BPF_DW, 10, -8, 1).mov64(0, 0).exit();
        ExecutionException e = fails(asm, null);
        assertEquals(1, e.insnIndex());
        assertTrue(e.getMessage().contains("read of 8 bytes at 0x"), e.getMessage());
    }

    @Test
    void readingARegionDoesNotMakeItWritable() throws BpfException {
        MemorySegment ro = arena.allocate(8, 8);
        vm.allow(ro, false);
        Asm asm = new Asm().lddw(1, ro.address()).ldx(BPF_DW, 0, 1, 0).stx(BPF_DW, 1, 0, 0).exit();
        ExecutionException e = fails(asm, null);
        assertEquals(3, e.insnIndex());
        assertEquals(Errno.EACCES, e.errno());
    }

    // ---- atomics ----

    @Test
    void atomicsFetchAndCompareExchange() throws BpfException {
        MemorySegment mem = arena.allocate(16, 8);
        mem.set(ValueLayout.JAVA_LONG, 0, 0xffff_ffff_0000_0010L);
        // 32-bit fetch_add: old low half into r2, zero-extended; memory low half 0x10 + 5
        Asm fetchAdd = new Asm().mov64(2, 5).atomic(BPF_W, 1, 2, 0, BPF_ADD | BPF_FETCH).mov64Reg(0, 2).exit();
        assertEquals(0x10, run(fetchAdd, mem));
        assertEquals(0xffff_ffff_0000_0015L, mem.get(ValueLayout.JAVA_LONG, 0));
        // 64-bit cmpxchg that fails: r0 gets the value found, memory unchanged
        Asm cmpxchg = new Asm().mov64(0, 1).mov64(2, 7).atomic(BPF_DW, 1, 2, 8, BPF_CMPXCHG).exit();
        mem.set(ValueLayout.JAVA_LONG, 8, 3);
        assertEquals(3, run(cmpxchg, mem));
        assertEquals(3, mem.get(ValueLayout.JAVA_LONG, 8));
        mem.set(ValueLayout.JAVA_LONG, 8, 1);
        assertEquals(1, run(cmpxchg, mem));
        assertEquals(7, mem.get(ValueLayout.JAVA_LONG, 8));
        // xchg 32: src gets the old value zero-extended
        mem.set(ValueLayout.JAVA_INT, 8, -1);
        assertEquals(0xffffffffL, run(new Asm().mov64(2, 9).atomic(BPF_W, 1, 2, 8, BPF_XCHG).mov64Reg(0, 2).exit(), mem));
        assertEquals(9, mem.get(ValueLayout.JAVA_INT, 8));
    }

    @Test
    void misalignedAtomicIsAnError() {
        MemorySegment mem = arena.allocate(16, 8);
        ExecutionException e = fails(new Asm().mov64(2, 1).atomic(BPF_DW, 1, 2, 4, BPF_ADD).exit(), mem);
        assertEquals(1, e.insnIndex());
        assertTrue(e.getMessage().contains("misaligned atomic access of 8 bytes"), e.getMessage());
    }

    // ---- BPF-to-BPF calls ----

    @Test
    void localCallsHaveTheirOwnFrameAndPreserveR6ToR10() throws BpfException {
        Asm asm = new Asm()
                .mov64(6, 6).mov64(9, 9)
                .st(BPF_DW, 10, -8, 111)          // caller's slot
                .mov64Reg(1, 10).alu64Imm(BPF_ADD, 1, -8) // r1 = &caller slot
                .callLocal(5)
                .ldx(BPF_DW, 2, 10, -8)           // caller slot: 111 + 1 written by the callee through r1
                .alu64Reg(BPF_ADD, 0, 2)          // r0 = 1000 + 112
                .alu64Reg(BPF_ADD, 0, 6)          // + 6
                .alu64Reg(BPF_ADD, 0, 9)          // + 9
                .exit()
                // callee
                .st(BPF_DW, 10, -8, 222)          // own frame: must not touch the caller's slot
                .ldx(BPF_DW, 3, 1, 0).alu64Imm(BPF_ADD, 3, 1).stx(BPF_DW, 1, 3, 0)
                .mov64(6, 0).mov64(9, 0)
                .mov64(0, 1000).exit();
        assertEquals(1000 + 112 + 6 + 9, run(asm));
    }

    @Test
    void callDepthIsLimitedToEightFrames() throws BpfException {
        // f(n): if n == 0 return 0; return f(n - 1) + 1, called with r1 = depth.
        Asm f = new Asm().callLocal(1).exit()
                .jmpImm(BPF_JNE, 1, 0, 2).mov64(0, 0).exit()
                .alu64Imm(BPF_SUB, 1, 1).callLocal(-5).alu64Imm(BPF_ADD, 0, 1).exit();
        Program p = Program.load(f.words(), HelperTable.builtins());
        assertEquals(6, vm.run(p, 6, 0, 0, 0, 0, null, false)); // 1 main + 7 nested frames
        ExecutionException e = assertThrows(ExecutionException.class, () -> vm.run(p, 7, 0, 0, 0, 0, null, false));
        assertEquals(Errno.E2BIG, e.errno());
        assertEquals(6, e.insnIndex());
        assertTrue(e.getMessage().endsWith("call depth exceeds 8 frames (MAX_CALL_FRAMES)"), e.getMessage());
    }

    // ---- helpers ----

    @Test
    void helperGetsR1ToR5AndCanGrantMemory() throws BpfException {
        MemorySegment value = arena.allocate(8, 8);
        value.set(ValueLayout.JAVA_LONG, 0, 40);
        List<Long> seen = new ArrayList<>();
        Helper lookup = new Helper() {
            @Override public int id() { return 1; }
            @Override public String name() { return "map_lookup_elem"; }
            @Override public long call(HelperContext c, long r1, long r2, long r3, long r4, long r5) {
                seen.addAll(List.of(r1, r2, r3, r4, r5));
                c.grant(value, true);
                return value.address();
            }
        };
        Asm asm = new Asm().mov64(1, 1).mov64(2, 2).mov64(3, 3).mov64(4, 4).mov64(5, 5).call(1)
                .ldx(BPF_DW, 1, 0, 0).alu64Imm(BPF_ADD, 1, 2).stx(BPF_DW, 0, 1, 0).ldx(BPF_DW, 0, 0, 0).exit();
        Program p = Program.load(asm.words(), HelperTable.builtins().with(lookup));
        assertEquals(42, vm.run(p, (MemorySegment) null));
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), seen);
        // the grant lasts for one run only
        Asm reuse = new Asm().lddw(1, value.address()).ldx(BPF_DW, 0, 1, 0).exit();
        assertThrows(ExecutionException.class, () -> run(reuse));
    }

    @Test
    void helperMemoryAccessIsChecked() throws BpfException {
        Helper probe = new Helper() {
            @Override public int id() { return 4; }
            @Override public String name() { return "probe_read"; }
            @Override public long call(HelperContext c, long dst, long size, long src, long r4, long r5) {
                MemorySegment.copy(c.memory(src, size, false), 0, c.memory(dst, size, true), 0, size);
                return 0;
            }
        };
        HelperTable table = HelperTable.builtins().with(probe);
        MemorySegment mem = arena.allocate(8, 8);
        mem.set(ValueLayout.JAVA_LONG, 0, 0x1234);
        // copy 8 bytes from the context to the stack, return them
        Asm ok = new Asm().mov64Reg(3, 1).mov64Reg(1, 10).alu64Imm(BPF_ADD, 1, -8).mov64(2, 8).call(4)
                .ldx(BPF_DW, 0, 10, -8).exit();
        assertEquals(0x1234, vm.run(Program.load(ok.words(), table), mem));
        Asm tooLong = new Asm().mov64Reg(3, 1).mov64Reg(1, 10).alu64Imm(BPF_ADD, 1, -16).mov64(2, 16).call(4).exit();
        ExecutionException e = assertThrows(ExecutionException.class, () -> vm.run(Program.load(tooLong.words(), table), mem));
        assertEquals(4, e.insnIndex());
        assertTrue(e.getMessage().contains("helper bpf_probe_read (4) failed: 16 bytes at 0x"
                + Long.toHexString(mem.address()) + " are outside"), e.getMessage());
    }

    @Test
    void callToAHelperNobodyProvidesIsRefusedNamingIt() {
        BpfException e = refused(new Asm().call(4).exit());
        assertEquals(Errno.EINVAL, e.errno());
        assertTrue(e.getMessage().startsWith("insn 0: call to helper bpf_probe_read (4): no such helper is available"),
                e.getMessage());
        assertEquals("insn 0: invalid func unknown#999", refused(new Asm().call(999).exit()).getMessage());
    }

    // ---- tail calls ----

    @Test
    void tailCallsAreLimitedTo33PerRun() throws BpfException {
        ProgArrayMap array = progArray(4);
        // r6 += 1; bpf_tail_call(ctx, array, 0); return r6 (registers survive a tail call)
        Asm asm = new Asm().alu64Imm(BPF_ADD, 6, 1).lddw(2, array.address()).mov64(3, 0).call(12)
                .mov64Reg(0, 6).exit();
        Program p = Program.load(asm.words(), HelperTable.builtins());
        array.set(0, p);
        assertEquals(1 + MAX_TAIL_CALLS, vm.run(p, (MemorySegment) null));
    }

    private static final int MAX_TAIL_CALLS = Interpreter.MAX_TAIL_CALL_CNT;

    /** A real BPF_MAP_TYPE_PROG_ARRAY: the map pointer programs pass to bpf_tail_call is its address. */
    private static ProgArrayMap progArray(int maxEntries) throws BpfException {
        return (ProgArrayMap) Maps.create(new MapSpec("jmp", MapType.PROG_ARRAY, 4, 4, maxEntries, 0));
    }

    @Test
    void tailCallFallsThroughOnBadIndexOrEmptySlotAndJumpsOtherwise() throws BpfException {
        ProgArrayMap array = progArray(2);
        Program target = Program.load(new Asm().mov64(0, 77).exit().words(), HelperTable.builtins());
        array.set(1, target);
        for (int index : new int[] {0, 2, -1}) {
            Asm asm = new Asm().lddw(2, array.address()).mov64(3, index).mov64(0, 5).call(12).exit();
            assertEquals(5, vm.run(Program.load(asm.words(), HelperTable.builtins()), (MemorySegment) null), "index " + index);
        }
        Asm hit = new Asm().lddw(2, array.address()).mov64(3, 1).mov64(0, 5).call(12).exit();
        assertEquals(77, vm.run(Program.load(hit.words(), HelperTable.builtins()), (MemorySegment) null));
        ExecutionException e = assertThrows(ExecutionException.class, () -> vm.run(
                Program.load(new Asm().mov64(2, 1234).call(12).exit().words(), HelperTable.builtins()), (MemorySegment) null));
        assertTrue(e.getMessage().endsWith("bpf_tail_call: r2 = 0x4d2 is not a prog array"), e.getMessage());
    }

    @Test
    void aTailCallInsideASubprogramReturnsToTheCaller() throws BpfException {
        ProgArrayMap array = progArray(1);
        array.set(0, Program.load(new Asm().mov64(0, 40).exit().words(), HelperTable.builtins()));
        // main: call sub; r0 += 2; exit. sub: tail-call slot 0 (returns 40 to main)
        Asm asm = new Asm().callLocal(2).alu64Imm(BPF_ADD, 0, 2).exit()
                .lddw(2, array.address()).mov64(3, 0).call(12).mov64(0, -1).exit();
        assertEquals(42, vm.run(Program.load(asm.words(), HelperTable.builtins()), (MemorySegment) null));
    }

    // ---- what decoding refuses ----

    @Test
    void decodingRefusesWhatCannotRunSafely() {
        assertEquals("insn 0: lddw with pseudo source 1 (BPF_PSEUDO_MAP_FD) must be resolved by prelink before the program runs",
                refused(new Asm().insn(BPF_LD | BPF_IMM | BPF_DW, 1, BPF_PSEUDO_MAP_FD, 0, 3).insn(0, 0, 0, 0, 0).exit()).getMessage());
        assertEquals("insn 1: unknown opcode 8d",
                refused(new Asm().mov64(2, 5).insn(BPF_JMP | BPF_CALL | BPF_X, 2, 0, 0, 0).exit()).getMessage());
        // The checks are InsnDecoder's, in the kernel verifier's words.
        assertEquals("insn 0: frame pointer is read only", refused(new Asm().mov64(10, 0).exit()).getMessage());
        assertEquals("insn 0: jump out of range from insn 0 to 3", refused(new Asm().ja(2).exit()).getMessage());
        assertEquals("insn 0: jump into the middle of ldimm64 insn 2",
                refused(new Asm().ja(1).lddw(0, 1).exit()).getMessage());
        assertEquals("insn 1: last insn is not an exit or jmp", refused(new Asm().mov64(0, 0).mov64(0, 1)).getMessage());
        assertEquals("insn 0: unknown opcode 8c", refused(new Asm().insn(0x8c, 0, 1, 0, 0).exit()).getMessage());
        assertEquals("insn 0: R11 is invalid", refused(new Asm().insn(0xb7, 11, 0, 0, 0).exit()).getMessage());
        assertTrue(refused(new Asm().insn(BPF_LD | BPF_ABS | BPF_W, 0, 0, 0, 0).exit()).getMessage().contains("BPF_ABS/BPF_IND"));
        assertEquals("insn 0: invalid bpf_ld_imm64 insn",
                refused(new Asm().insn(BPF_LD | BPF_IMM | BPF_DW, 0, 0, 0, 0).exit()).getMessage());
        assertEquals("insn 0: program has no instructions", refused(new Asm()).getMessage());
    }

    // ---- instruction counting ----

    @Test
    void countsInstructionsExecuted() throws BpfException {
        // r0 = 0; r1 = 10; loop: r0 += 1; r1 -= 1; if r1 != 0 goto loop; exit
        Asm asm = new Asm().mov64(0, 0).mov64(1, 10).alu64Imm(BPF_ADD, 0, 1).alu64Imm(BPF_SUB, 1, 1)
                .jmpImm(BPF_JNE, 1, 0, -3).exit();
        assertEquals(10, run(asm));
        assertEquals(2 + 3 * 10 + 1, vm.insnCount());
    }
}
