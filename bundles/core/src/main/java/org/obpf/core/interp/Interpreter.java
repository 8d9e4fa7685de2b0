package org.obpf.core.interp;

import static org.obpf.api.insn.Opcodes.*;
import static org.obpf.core.interp.Program.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;
import org.obpf.api.Errno;
import org.obpf.api.helper.HelperContext;
import org.obpf.api.helper.HelperException;
import org.obpf.core.helper.Platform;
import org.obpf.core.map.AbstractBpfMap;
import org.obpf.core.map.ProgArrayMap;

/**
 * The eBPF interpreter (RFC 9669, cpu v1..v4): the counterpart of the kernel's
 * {@code ___bpf_prog_run}, over native memory with real addresses so that its results compare bit
 * for bit with JIT'd code.
 *
 * <p>Programs run here may not have been verified, so every load and store is checked against the
 * regions this run may touch: the active stack frames, the memory passed to {@code run}, the
 * regions {@link #allow allowed} for every run, and those a helper {@link HelperContext#grant
 * grants}, and the regions the {@link Program} itself names (map values it addresses directly). A
 * bad access ends the run with an {@link ExecutionException} naming the instruction, address and
 * width.
 *
 * <p>{@code bpf_tail_call} jumps through real {@code BPF_MAP_TYPE_PROG_ARRAY} maps
 * ({@link org.obpf.core.map.ProgArrayMap}, found by the map pointer in r2); helpers such as
 * {@code bpf_loop} call back into the program's sub-programs through
 * {@link HelperContext#callback}, in a new frame that counts towards {@value #MAX_CALL_FRAMES}.
 *
 * <p>One interpreter owns one stack ({@value #MAX_CALL_FRAMES} frames of {@value
 * org.obpf.api.insn.Opcodes#MAX_BPF_STACK} bytes) and is neither thread-safe nor reentrant: use one
 * per thread, and do not run a program on it from a helper it is calling. It can run any number of
 * programs one after the other.
 */
public final class Interpreter {

    /** The kernel's {@code MAX_CALL_FRAMES}: the main program plus 7 nested BPF-to-BPF calls. */
    public static final int MAX_CALL_FRAMES = 8;
    /** The kernel's {@code MAX_TAIL_CALL_CNT}: tail calls allowed per run. */
    public static final int MAX_TAIL_CALL_CNT = 33;

    private static final int STACK_SIZE = MAX_CALL_FRAMES * MAX_BPF_STACK;

    /** All of the address space; only touched after a region check. */
    private static final MemorySegment MEM = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);
    private static final ValueLayout.OfByte U8 = ValueLayout.JAVA_BYTE;
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final VarHandle ATOMIC32 = ValueLayout.JAVA_INT.varHandle();
    private static final VarHandle ATOMIC64 = ValueLayout.JAVA_LONG.varHandle();
    private static final boolean LITTLE_ENDIAN_HOST = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    private final MemorySegment stack = Arena.ofAuto().allocate(STACK_SIZE, 16);
    private final long stackTop = stack.address() + STACK_SIZE;

    /** Registers of the current run (16 so that a 4-bit register field never needs a range check). */
    private long[] reg = new long[16];
    // Per active caller frame: return pc, program, r6..r10.
    private final int[] frameReturn = new int[MAX_CALL_FRAMES];
    private final Program[] frameProgram = new Program[MAX_CALL_FRAMES];
    private final long[] frameSaved = new long[MAX_CALL_FRAMES * 5];
    private int deepestFrame;

    // Memory regions of the current run; region 0 is the active part of the stack.
    private long[] regionStart = new long[8];
    private long[] regionLength = new long[8];
    private boolean[] regionWritable = new boolean[8];
    private String[] regionName = new String[8];
    private int regionCount;
    private int persistentCount;
    // The region the last access hit; hitLength -1 when there is none.
    private long hitStart;
    private long hitLength = -1;
    private boolean hitWritable;

    private final Context helperContext = new Context();
    // What helpers asked the run to keep (maps it got memory of), released when the run ends.
    private AutoCloseable[] held = new AutoCloseable[4];
    private int heldCount;
    // The frame depth and program of the helper call in progress (for callbacks).
    private int callDepth;
    private Program callProgram;
    private long insnCount;

    public Interpreter() {
        regionStart[0] = stackTop - MAX_BPF_STACK;
        regionLength[0] = MAX_BPF_STACK;
        regionWritable[0] = true;
        regionName[0] = "stack";
        regionCount = persistentCount = 1;
    }

    /**
     * Lets every following run touch {@code region} (a map value area, a shared context...).
     * The region must be native memory and stay allocated while it is allowed.
     */
    public Interpreter allow(MemorySegment region, boolean writable) {
        requireNative(region);
        if (regionCount != persistentCount) throw new IllegalStateException("allow() during a run");
        addRegion(region.address(), region.byteSize(), writable, "allowed");
        persistentCount = regionCount;
        return this;
    }

    /** Forgets every region given to {@link #allow}. */
    public Interpreter clearAllowed() {
        regionCount = persistentCount = 1;
        resetHit();
        return this;
    }

    /** Instructions executed by the last run that ended with exit (each lddw counts once). */
    public long insnCount() {
        return insnCount;
    }

    /**
     * Runs {@code program} with {@code memory} as its context, the way the conformance suite and
     * {@code BPF_PROG_TEST_RUN} pass data: r1 = the memory's address, r2 = its length (both 0 if
     * {@code memory} is null or empty), and the program may read and write it.
     *
     * @return r0 at exit
     */
    public long run(Program program, MemorySegment memory) throws ExecutionException {
        if (memory == null || memory.byteSize() == 0) return run(program, 0, 0, 0, 0, 0, null, false);
        requireNative(memory);
        return run(program, memory.address(), memory.byteSize(), 0, 0, 0, memory, true);
    }

    /**
     * Runs {@code program} with r1..r5 as given. The program may touch its stack and the regions
     * given to {@link #allow}, plus {@code context} (may be null) for this run only.
     *
     * @return r0 at exit
     */
    public long run(Program program, long r1, long r2, long r3, long r4, long r5, MemorySegment context,
            boolean contextWritable) throws ExecutionException {
        Objects.requireNonNull(program, "program");
        regionCount = persistentCount;
        if (context != null && context.byteSize() > 0) {
            requireNative(context);
            addRegion(context.address(), context.byteSize(), contextWritable, "context");
        }
        addProgramRegions(program);
        // Fresh stack for each run: results must not depend on what an earlier run left there.
        long used = (long) (deepestFrame + 1) * MAX_BPF_STACK;
        stack.asSlice(STACK_SIZE - used, used).fill((byte) 0);
        deepestFrame = 0;
        setStackFrame(0);
        try {
            return execute(program, 0, 0, r1, r2, r3, r4, r5);
        } catch (Trap t) {
            throw new ExecutionException(t.errno, t.pc, "insn " + t.pc + " (op 0x" + Integer.toHexString(t.op) + "): "
                    + t.getMessage(), t.getCause());
        } catch (RuntimeException | StackOverflowError e) {
            // A helper's own bug must not take the caller down with it.
            throw new ExecutionException(Errno.EFAULT, -1, "run failed: " + e, e);
        } finally {
            regionCount = persistentCount;
            resetHit();
            releaseHeld();
        }
    }

    private void releaseHeld() {
        for (int i = 0; i < heldCount; i++) {
            try {
                held[i].close();
            } catch (Exception e) {
                // a resource that fails to close must not keep the others held
            }
            held[i] = null;
        }
        heldCount = 0;
    }

    private void setStackFrame(int depth) {
        regionStart[0] = stackTop - (long) (depth + 1) * MAX_BPF_STACK;
        regionLength[0] = (long) (depth + 1) * MAX_BPF_STACK;
        resetHit();
    }

    // The dispatch loop. Kept below HotSpot's 8000-byte limit for compiling a method (about 5900
    // now): rare work (atomics, helper calls, frame changes, tail calls, errors) lives in its own methods.
    // Runs from startPc in frame baseDepth until that frame exits (baseDepth > 0 for callbacks).
    private long execute(Program entry, int startPc, int baseDepth, long r1, long r2, long r3, long r4, long r5) {
        // Allocated here, with a constant length, so that C2 knows every 4-bit index is in range.
        final long[] reg = new long[16];
        this.reg = reg;
        reg[1] = r1;
        reg[2] = r2;
        reg[3] = r3;
        reg[4] = r4;
        reg[5] = r5;
        reg[BPF_REG_FP] = stackTop - (long) baseDepth * MAX_BPF_STACK;
        Program prog = entry;
        long[] slots = prog.slots;
        int pc = startPc;
        int depth = baseDepth;
        int tailCalls = 0;
        long steps = 0;
        for (;;) {
            steps++;
            final long slot = slots[pc];
            final int w = (int) slot;
            final int k = (int) (slot >> 32);
            final int d = (w >>> DST_SHIFT) & 0xf;
            final int s = (w >>> SRC_SHIFT) & 0xf;
            switch (w & OP_MASK) {
                // ---- ALU64, immediate (sign-extended to 64 bits) ----
                case BPF_ALU64 | BPF_ADD | BPF_K: reg[d] += k; pc++; break;
                case BPF_ALU64 | BPF_SUB | BPF_K: reg[d] -= k; pc++; break;
                case BPF_ALU64 | BPF_MUL | BPF_K: reg[d] *= k; pc++; break;
                case BPF_ALU64 | BPF_DIV | BPF_K: reg[d] = udiv64(reg[d], k); pc++; break;
                case BPF_ALU64 | BPF_OR | BPF_K: reg[d] |= k; pc++; break;
                case BPF_ALU64 | BPF_AND | BPF_K: reg[d] &= k; pc++; break;
                case BPF_ALU64 | BPF_LSH | BPF_K: reg[d] <<= k; pc++; break; // Java masks long shifts & 63
                case BPF_ALU64 | BPF_RSH | BPF_K: reg[d] >>>= k; pc++; break;
                case BPF_ALU64 | BPF_NEG: reg[d] = -reg[d]; pc++; break;
                case BPF_ALU64 | BPF_MOD | BPF_K: reg[d] = umod64(reg[d], k); pc++; break;
                case BPF_ALU64 | BPF_XOR | BPF_K: reg[d] ^= k; pc++; break;
                case BPF_ALU64 | BPF_MOV | BPF_K: reg[d] = k; pc++; break;
                case BPF_ALU64 | BPF_ARSH | BPF_K: reg[d] >>= k; pc++; break;
                case SDIV | BPF_ALU64 | BPF_K: reg[d] = sdiv64(reg[d], k); pc++; break;
                case SMOD | BPF_ALU64 | BPF_K: reg[d] = smod64(reg[d], k); pc++; break;
                // ---- ALU64, register ----
                case BPF_ALU64 | BPF_ADD | BPF_X: reg[d] += reg[s]; pc++; break;
                case BPF_ALU64 | BPF_SUB | BPF_X: reg[d] -= reg[s]; pc++; break;
                case BPF_ALU64 | BPF_MUL | BPF_X: reg[d] *= reg[s]; pc++; break;
                case BPF_ALU64 | BPF_DIV | BPF_X: reg[d] = udiv64(reg[d], reg[s]); pc++; break;
                case BPF_ALU64 | BPF_OR | BPF_X: reg[d] |= reg[s]; pc++; break;
                case BPF_ALU64 | BPF_AND | BPF_X: reg[d] &= reg[s]; pc++; break;
                case BPF_ALU64 | BPF_LSH | BPF_X: reg[d] <<= reg[s]; pc++; break;
                case BPF_ALU64 | BPF_RSH | BPF_X: reg[d] >>>= reg[s]; pc++; break;
                case BPF_ALU64 | BPF_MOD | BPF_X: reg[d] = umod64(reg[d], reg[s]); pc++; break;
                case BPF_ALU64 | BPF_XOR | BPF_X: reg[d] ^= reg[s]; pc++; break;
                case BPF_ALU64 | BPF_MOV | BPF_X: reg[d] = reg[s]; pc++; break;
                case BPF_ALU64 | BPF_ARSH | BPF_X: reg[d] >>= reg[s]; pc++; break;
                case SDIV | BPF_ALU64 | BPF_X: reg[d] = sdiv64(reg[d], reg[s]); pc++; break;
                case SMOD | BPF_ALU64 | BPF_X: reg[d] = smod64(reg[d], reg[s]); pc++; break;
                case MOVSX | BPF_ALU64 | BPF_X: reg[d] = reg[s] << k >> k; pc++; break;
                case BPF_ALU64 | BPF_END | BPF_TO_LE: reg[d] = bswap(reg[d], k); pc++; break;
                // ---- ALU (32-bit, results zero-extended) ----
                case BPF_ALU | BPF_ADD | BPF_K: reg[d] = u32((int) reg[d] + k); pc++; break;
                case BPF_ALU | BPF_SUB | BPF_K: reg[d] = u32((int) reg[d] - k); pc++; break;
                case BPF_ALU | BPF_MUL | BPF_K: reg[d] = u32((int) reg[d] * k); pc++; break;
                case BPF_ALU | BPF_DIV | BPF_K: reg[d] = udiv32((int) reg[d], k); pc++; break;
                case BPF_ALU | BPF_OR | BPF_K: reg[d] = u32((int) reg[d] | k); pc++; break;
                case BPF_ALU | BPF_AND | BPF_K: reg[d] = u32((int) reg[d] & k); pc++; break;
                case BPF_ALU | BPF_LSH | BPF_K: reg[d] = u32((int) reg[d] << k); pc++; break; // & 31
                case BPF_ALU | BPF_RSH | BPF_K: reg[d] = u32((int) reg[d] >>> k); pc++; break;
                case BPF_ALU | BPF_NEG: reg[d] = u32(-(int) reg[d]); pc++; break;
                case BPF_ALU | BPF_MOD | BPF_K: reg[d] = umod32((int) reg[d], k); pc++; break;
                case BPF_ALU | BPF_XOR | BPF_K: reg[d] = u32((int) reg[d] ^ k); pc++; break;
                case BPF_ALU | BPF_MOV | BPF_K: reg[d] = u32(k); pc++; break;
                case BPF_ALU | BPF_ARSH | BPF_K: reg[d] = u32((int) reg[d] >> k); pc++; break;
                case SDIV | BPF_ALU | BPF_K: reg[d] = sdiv32((int) reg[d], k); pc++; break;
                case SMOD | BPF_ALU | BPF_K: reg[d] = smod32((int) reg[d], k); pc++; break;
                // ---- ALU, register ----
                case BPF_ALU | BPF_ADD | BPF_X: reg[d] = u32((int) reg[d] + (int) reg[s]); pc++; break;
                case BPF_ALU | BPF_SUB | BPF_X: reg[d] = u32((int) reg[d] - (int) reg[s]); pc++; break;
                case BPF_ALU | BPF_MUL | BPF_X: reg[d] = u32((int) reg[d] * (int) reg[s]); pc++; break;
                case BPF_ALU | BPF_DIV | BPF_X: reg[d] = udiv32((int) reg[d], (int) reg[s]); pc++; break;
                case BPF_ALU | BPF_OR | BPF_X: reg[d] = u32((int) reg[d] | (int) reg[s]); pc++; break;
                case BPF_ALU | BPF_AND | BPF_X: reg[d] = u32((int) reg[d] & (int) reg[s]); pc++; break;
                case BPF_ALU | BPF_LSH | BPF_X: reg[d] = u32((int) reg[d] << (int) reg[s]); pc++; break;
                case BPF_ALU | BPF_RSH | BPF_X: reg[d] = u32((int) reg[d] >>> (int) reg[s]); pc++; break;
                case BPF_ALU | BPF_MOD | BPF_X: reg[d] = umod32((int) reg[d], (int) reg[s]); pc++; break;
                case BPF_ALU | BPF_XOR | BPF_X: reg[d] = u32((int) reg[d] ^ (int) reg[s]); pc++; break;
                case BPF_ALU | BPF_MOV | BPF_X: reg[d] = u32((int) reg[s]); pc++; break;
                case BPF_ALU | BPF_ARSH | BPF_X: reg[d] = u32((int) reg[d] >> (int) reg[s]); pc++; break;
                case SDIV | BPF_ALU | BPF_X: reg[d] = sdiv32((int) reg[d], (int) reg[s]); pc++; break;
                case SMOD | BPF_ALU | BPF_X: reg[d] = smod32((int) reg[d], (int) reg[s]); pc++; break;
                case MOVSX | BPF_ALU | BPF_X: reg[d] = u32((int) (reg[s] << k >> k)); pc++; break;
                case BPF_ALU | BPF_END | BPF_TO_LE: reg[d] = LITTLE_ENDIAN_HOST ? trunc(reg[d], k) : bswap(reg[d], k); pc++; break;
                case BPF_ALU | BPF_END | BPF_TO_BE: reg[d] = LITTLE_ENDIAN_HOST ? bswap(reg[d], k) : trunc(reg[d], k); pc++; break;
                // ---- 64-bit immediate load ----
                case BPF_LD | BPF_IMM | BPF_DW: reg[d] = prog.imm64[pc]; pc += 2; break;
                // ---- loads (zero-extending, then sign-extending) ----
                case BPF_LDX | BPF_MEM | BPF_B: { long a = reg[s] + k; check(a, 1, false, pc, w); reg[d] = MEM.get(U8, a) & 0xffL; pc++; break; }
                case BPF_LDX | BPF_MEM | BPF_H: { long a = reg[s] + k; check(a, 2, false, pc, w); reg[d] = MEM.get(U16, a) & 0xffffL; pc++; break; }
                case BPF_LDX | BPF_MEM | BPF_W: { long a = reg[s] + k; check(a, 4, false, pc, w); reg[d] = MEM.get(U32, a) & 0xffffffffL; pc++; break; }
                case BPF_LDX | BPF_MEM | BPF_DW: { long a = reg[s] + k; check(a, 8, false, pc, w); reg[d] = MEM.get(U64, a); pc++; break; }
                case BPF_LDX | BPF_MEMSX | BPF_B: { long a = reg[s] + k; check(a, 1, false, pc, w); reg[d] = MEM.get(U8, a); pc++; break; }
                case BPF_LDX | BPF_MEMSX | BPF_H: { long a = reg[s] + k; check(a, 2, false, pc, w); reg[d] = MEM.get(U16, a); pc++; break; }
                case BPF_LDX | BPF_MEMSX | BPF_W: { long a = reg[s] + k; check(a, 4, false, pc, w); reg[d] = MEM.get(U32, a); pc++; break; }
                // ---- stores of an immediate ----
                case BPF_ST | BPF_MEM | BPF_B: { long a = reg[d] + (w >> 16); check(a, 1, true, pc, w); MEM.set(U8, a, (byte) k); pc++; break; }
                case BPF_ST | BPF_MEM | BPF_H: { long a = reg[d] + (w >> 16); check(a, 2, true, pc, w); MEM.set(U16, a, (short) k); pc++; break; }
                case BPF_ST | BPF_MEM | BPF_W: { long a = reg[d] + (w >> 16); check(a, 4, true, pc, w); MEM.set(U32, a, k); pc++; break; }
                case BPF_ST | BPF_MEM | BPF_DW: { long a = reg[d] + (w >> 16); check(a, 8, true, pc, w); MEM.set(U64, a, (long) k); pc++; break; }
                // ---- stores of a register ----
                case BPF_STX | BPF_MEM | BPF_B: { long a = reg[d] + k; check(a, 1, true, pc, w); MEM.set(U8, a, (byte) reg[s]); pc++; break; }
                case BPF_STX | BPF_MEM | BPF_H: { long a = reg[d] + k; check(a, 2, true, pc, w); MEM.set(U16, a, (short) reg[s]); pc++; break; }
                case BPF_STX | BPF_MEM | BPF_W: { long a = reg[d] + k; check(a, 4, true, pc, w); MEM.set(U32, a, (int) reg[s]); pc++; break; }
                case BPF_STX | BPF_MEM | BPF_DW: { long a = reg[d] + k; check(a, 8, true, pc, w); MEM.set(U64, a, reg[s]); pc++; break; }
                case BPF_STX | BPF_ATOMIC | BPF_W: atomic32(prog, pc, w); pc++; break;
                case BPF_STX | BPF_ATOMIC | BPF_DW: atomic64(prog, pc, w); pc++; break;
                // ---- jumps ----
                case BPF_JMP | BPF_JA: pc = pc + 1 + k; break;
                case BPF_JMP32 | BPF_JA: pc = pc + 1 + k; break; // gotol
                case BPF_JMP | BPF_JEQ | BPF_K: pc = reg[d] == k ? pc + 1 + (w >> 16) : pc + 1; break;
                case BPF_JMP | BPF_JEQ | BPF_X: pc = reg[d] == reg[s] ? pc + 1 + k : pc + 1; break;
                case BPF_JMP | BPF_JNE | BPF_K: pc = reg[d] != k ? pc + 1 + (w >> 16) : pc + 1; break;
                case BPF_JMP | BPF_JNE | BPF_X: pc = reg[d] != reg[s] ? pc + 1 + k : pc + 1; break;
                case BPF_JMP | BPF_JGT | BPF_K: pc = Long.compareUnsigned(reg[d], k) > 0 ? pc + 1 + (w >> 16) : pc + 1; break;
                case BPF_JMP | BPF_JGT | BPF_X: pc = Long.compareUnsigned(reg[d], reg[s]) > 0 ? pc + 1 + k : pc + 1; break;
                case BPF_JMP | BPF_JGE | BPF_K: pc = Long.compareUnsigned(reg[d], k) >= 0 ? pc + 1 + (w >> 16) : pc + 1; break;
                case BPF_JMP | BPF_JGE | BPF_X: pc = Long.compareUnsigned(reg[d], reg[s]) >= 0 ? pc + 1 + k : pc + 1; break;
                case BPF_JMP | BPF_JLT | BPF_K: pc = Long.compareUnsigned(reg[d], k) < 0 ? pc + 1 + (w >> 16) : pc + 1; break;
                case BPF_JMP | BPF_JLT | BPF_X: pc = Long.compareUnsigned(reg[d], reg[s]) < 0 ? pc + 1 + k : pc + 1; break;
                case BPF_JMP | BPF_JLE | BPF_K: pc = Long.compareUnsigned(reg[d], k) <= 0 ? pc + 1 + (w >> 16) : pc + 1; break;
                case BPF_JMP | BPF_JLE | BPF_X: pc = Long.compareUnsigned(reg[d], reg[s]) <= 0 ? pc + 1 + k : pc + 1; break;
                case BPF_JMP | BPF_JSET | BPF_K: pc = (reg[d] & k) != 0 ? pc + 1 + (w >> 16) : pc + 1; break;
                case BPF_JMP | BPF_JSET | BPF_X: pc = (reg[d] & reg[s]) != 0 ? pc + 1 + k : pc + 1; break;
                case BPF_JMP | BPF_JSGT | BPF_K: pc = reg[d] > k ? pc + 1 + (w >> 16) : pc + 1; break;
                case BPF_JMP | BPF_JSGT | BPF_X: pc = reg[d] > reg[s] ? pc + 1 + k : pc + 1; break;
                case BPF_JMP | BPF_JSGE | BPF_K: pc = reg[d] >= k ? pc + 1 + (w >> 16) : pc + 1; break;
                case BPF_JMP | BPF_JSGE | BPF_X: pc = reg[d] >= reg[s] ? pc + 1 + k : pc + 1; break;
                case BPF_JMP | BPF_JSLT | BPF_K: pc = reg[d] < k ? pc + 1 + (w >> 16) : pc + 1; break;
                case BPF_JMP | BPF_JSLT | BPF_X: pc = reg[d] < reg[s] ? pc + 1 + k : pc + 1; break;
                case BPF_JMP | BPF_JSLE | BPF_K: pc = reg[d] <= k ? pc + 1 + (w >> 16) : pc + 1; break;
                case BPF_JMP | BPF_JSLE | BPF_X: pc = reg[d] <= reg[s] ? pc + 1 + k : pc + 1; break;
                // ---- 32-bit jumps: compare the low halves ----
                case BPF_JMP32 | BPF_JEQ | BPF_K: pc = (int) reg[d] == k ? pc + 1 + (w >> 16) : pc + 1; break;
                case BPF_JMP32 | BPF_JEQ | BPF_X: pc = (int) reg[d] == (int) reg[s] ? pc + 1 + k : pc + 1; break;
                case BPF_JMP32 | BPF_JNE | BPF_K: pc = (int) reg[d] != k ? pc + 1 + (w >> 16) : pc + 1; break;
                case BPF_JMP32 | BPF_JNE | BPF_X: pc = (int) reg[d] != (int) reg[s] ? pc + 1 + k : pc + 1; break;
                case BPF_JMP32 | BPF_JGT | BPF_K: pc = Integer.compareUnsigned((int) reg[d], k) > 0 ? pc + 1 + (w >> 16) : pc + 1; break;
                case BPF_JMP32 | BPF_JGT | BPF_X: pc = Integer.compareUnsigned((int) reg[d], (int) reg[s]) > 0 ? pc + 1 + k : pc + 1; break;
                case BPF_JMP32 | BPF_JGE | BPF_K: pc = Integer.compareUnsigned((int) reg[d], k) >= 0 ? pc + 1 + (w >> 16) : pc + 1; break;
                case BPF_JMP32 | BPF_JGE | BPF_X: pc = Integer.compareUnsigned((int) reg[d], (int) reg[s]) >= 0 ? pc + 1 + k : pc + 1; break;
                case BPF_JMP32 | BPF_JLT | BPF_K: pc = Integer.compareUnsigned((int) reg[d], k) < 0 ? pc + 1 + (w >> 16) : pc + 1; break;
                case BPF_JMP32 | BPF_JLT | BPF_X: pc = Integer.compareUnsigned((int) reg[d], (int) reg[s]) < 0 ? pc + 1 + k : pc + 1; break;
                case BPF_JMP32 | BPF_JLE | BPF_K: pc = Integer.compareUnsigned((int) reg[d], k) <= 0 ? pc + 1 + (w >> 16) : pc + 1; break;
                case BPF_JMP32 | BPF_JLE | BPF_X: pc = Integer.compareUnsigned((int) reg[d], (int) reg[s]) <= 0 ? pc + 1 + k : pc + 1; break;
                case BPF_JMP32 | BPF_JSET | BPF_K: pc = ((int) reg[d] & k) != 0 ? pc + 1 + (w >> 16) : pc + 1; break;
                case BPF_JMP32 | BPF_JSET | BPF_X: pc = ((int) reg[d] & (int) reg[s]) != 0 ? pc + 1 + k : pc + 1; break;
                case BPF_JMP32 | BPF_JSGT | BPF_K: pc = (int) reg[d] > k ? pc + 1 + (w >> 16) : pc + 1; break;
                case BPF_JMP32 | BPF_JSGT | BPF_X: pc = (int) reg[d] > (int) reg[s] ? pc + 1 + k : pc + 1; break;
                case BPF_JMP32 | BPF_JSGE | BPF_K: pc = (int) reg[d] >= k ? pc + 1 + (w >> 16) : pc + 1; break;
                case BPF_JMP32 | BPF_JSGE | BPF_X: pc = (int) reg[d] >= (int) reg[s] ? pc + 1 + k : pc + 1; break;
                case BPF_JMP32 | BPF_JSLT | BPF_K: pc = (int) reg[d] < k ? pc + 1 + (w >> 16) : pc + 1; break;
                case BPF_JMP32 | BPF_JSLT | BPF_X: pc = (int) reg[d] < (int) reg[s] ? pc + 1 + k : pc + 1; break;
                case BPF_JMP32 | BPF_JSLE | BPF_K: pc = (int) reg[d] <= k ? pc + 1 + (w >> 16) : pc + 1; break;
                case BPF_JMP32 | BPF_JSLE | BPF_X: pc = (int) reg[d] <= (int) reg[s] ? pc + 1 + k : pc + 1; break;
                // ---- calls and exit ----
                case BPF_JMP | BPF_CALL: callHelper(prog, pc, w, depth); pc++; break;
                case CALL_LOCAL: {
                    if (depth == MAX_CALL_FRAMES - 1) {
                        throw new Trap(Errno.E2BIG, pc, w, "call depth exceeds " + MAX_CALL_FRAMES + " frames (MAX_CALL_FRAMES)");
                    }
                    pushFrame(depth, pc + 1, prog);
                    depth++;
                    pc = pc + 1 + k;
                    break;
                }
                case BPF_JMP | BPF_EXIT: {
                    if (depth == baseDepth) {
                        insnCount = steps;
                        return reg[0];
                    }
                    depth--;
                    pc = frameReturn[depth];
                    Program caller = popFrame(depth);
                    if (caller != prog) {
                        prog = caller;
                        slots = prog.slots;
                    }
                    break;
                }
                case TAIL_CALL: {
                    Program next = tailCallTarget(tailCalls, pc, w);
                    if (next == null) {
                        pc++;
                    } else {
                        tailCalls++;
                        if (next != NO_PROGRAM) {
                            addProgramRegions(next);
                            prog = next;
                            slots = prog.slots;
                            pc = 0;
                        } else {
                            pc++;
                        }
                    }
                    break;
                }
                case FALL_OFF: throw new Trap(Errno.EINVAL, pc, w, "control reached a slot that is not an instruction");
                default: throw new Trap(Errno.EINVAL, pc, w, "opcode not handled by the interpreter");
            }
        }
    }

    // ---- ALU helpers: RFC 9669 section 4.1 ----

    static long u32(int x) {
        return x & 0xffffffffL;
    }

    /** Unsigned 64-bit division; by zero gives 0. */
    static long udiv64(long a, long b) {
        return b == 0 ? 0 : Long.divideUnsigned(a, b);
    }

    /** Unsigned 64-bit modulo; by zero leaves the dividend. */
    static long umod64(long a, long b) {
        return b == 0 ? a : Long.remainderUnsigned(a, b);
    }

    /** Signed 64-bit division; by zero gives 0, LLONG_MIN / -1 gives LLONG_MIN (Java's own rule). */
    static long sdiv64(long a, long b) {
        return b == 0 ? 0 : a / b;
    }

    /** Signed 64-bit modulo, truncating; by zero leaves the dividend, LLONG_MIN % -1 is 0. */
    static long smod64(long a, long b) {
        return b == 0 ? a : a % b;
    }

    static long udiv32(int a, int b) {
        return b == 0 ? 0 : u32(Integer.divideUnsigned(a, b));
    }

    /** By zero: the low 32 bits of the dividend, zero-extended like every 32-bit result. */
    static long umod32(int a, int b) {
        return u32(b == 0 ? a : Integer.remainderUnsigned(a, b));
    }

    static long sdiv32(int a, int b) {
        return b == 0 ? 0 : u32(a / b);
    }

    static long smod32(int a, int b) {
        return u32(b == 0 ? a : a % b);
    }

    /** Reverses the low {@code width} bits' bytes; the result is zero-extended. */
    static long bswap(long x, int width) {
        return switch (width) {
            case 16 -> Short.reverseBytes((short) x) & 0xffffL;
            case 32 -> Integer.reverseBytes((int) x) & 0xffffffffL;
            default -> Long.reverseBytes(x);
        };
    }

    /** The low {@code width} bits, zero-extended (byte order conversion to the host's own order). */
    static long trunc(long x, int width) {
        return switch (width) {
            case 16 -> x & 0xffffL;
            case 32 -> x & 0xffffffffL;
            default -> x;
        };
    }

    // ---- memory ----

    /** Throws unless {@code [address, address + width)} lies inside one region of this run. */
    private void check(long address, int width, boolean write, int pc, int w) {
        // Fast path: the region the previous access hit (loops mostly walk one buffer).
        long delta = address - hitStart;
        if (delta >= 0 && delta <= hitLength - width && (hitWritable || !write)) return;
        checkRegions(address, width, write, pc, w);
    }

    private void checkRegions(long address, int width, boolean write, int pc, int w) {
        final long[] start = regionStart;
        final long[] length = regionLength;
        for (int i = 0, n = regionCount; i < n; i++) {
            long delta = address - start[i];
            // No overflow: region starts and lengths are far below 2^62.
            if (delta >= 0 && delta <= length[i] - width) {
                if (write && !regionWritable[i]) {
                    throw new Trap(Errno.EACCES, pc, w, "write of " + width + " bytes at 0x" + Long.toHexString(address)
                            + " into read-only " + regionName[i] + " region");
                }
                hitStart = start[i];
                hitLength = length[i];
                hitWritable = regionWritable[i];
                return;
            }
        }
        throw new Trap(Errno.EFAULT, pc, w, (write ? "write of " : "read of ") + width + " bytes at 0x"
                + Long.toHexString(address) + " is outside the memory this run may touch (" + describeRegions() + ")");
    }

    /** Forgets the last region hit: called whenever the regions change. */
    private void resetHit() {
        hitStart = 0;
        hitLength = -1;
        hitWritable = false;
    }

    private String describeRegions() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < regionCount; i++) {
            if (i > 0) sb.append(", ");
            sb.append(regionName[i]).append(" 0x").append(Long.toHexString(regionStart[i]))
                    .append("..0x").append(Long.toHexString(regionStart[i] + regionLength[i]))
                    .append(regionWritable[i] ? " rw" : " ro");
        }
        return sb.toString();
    }

    private void addRegion(long start, long length, boolean writable, String name) {
        if (regionCount == regionStart.length) {
            int m = regionCount * 2;
            regionStart = Arrays.copyOf(regionStart, m);
            regionLength = Arrays.copyOf(regionLength, m);
            regionWritable = Arrays.copyOf(regionWritable, m);
            regionName = Arrays.copyOf(regionName, m);
        }
        regionStart[regionCount] = start;
        regionLength[regionCount] = length;
        regionWritable[regionCount] = writable;
        regionName[regionCount] = name;
        regionCount++;
        resetHit();
    }

    private static void requireNative(MemorySegment segment) {
        if (!segment.isNative()) throw new IllegalArgumentException("memory for a BPF program must be native memory: " + segment);
        if (segment.byteSize() > (1L << 48)) throw new IllegalArgumentException("memory region too large: " + segment);
    }

    // RFC 9669 section 5.3: the operation is in imm; the fetch variants put the old value in src,
    // cmpxchg compares with r0 and puts the old value in r0. Kernel-verified programs are aligned;
    // an unverified one that is not gets an error rather than a torn access.
    private void atomic32(Program prog, int pc, int w) {
        int d = (w >>> DST_SHIFT) & 0xf;
        int s = (w >>> SRC_SHIFT) & 0xf;
        long a = reg[d] + prog.aux[pc];
        check(a, 4, true, pc, w);
        if ((a & 3) != 0) throw new Trap(Errno.EINVAL, pc, w, "misaligned atomic access of 4 bytes at 0x" + Long.toHexString(a));
        int v = (int) reg[s];
        int op = prog.imm[pc];
        int old = switch (op & ~BPF_FETCH) {
            case BPF_ADD -> (int) ATOMIC32.getAndAdd(MEM, a, v);
            case BPF_OR -> (int) ATOMIC32.getAndBitwiseOr(MEM, a, v);
            case BPF_AND -> (int) ATOMIC32.getAndBitwiseAnd(MEM, a, v);
            case BPF_XOR -> (int) ATOMIC32.getAndBitwiseXor(MEM, a, v);
            case BPF_XCHG & ~BPF_FETCH -> (int) ATOMIC32.getAndSet(MEM, a, v);
            case BPF_CMPXCHG & ~BPF_FETCH -> {
                int witness = (int) ATOMIC32.compareAndExchange(MEM, a, (int) reg[0], v);
                reg[0] = u32(witness);
                yield witness;
            }
            default -> throw new Trap(Errno.EINVAL, pc, w, "invalid atomic operation 0x" + Integer.toHexString(op));
        };
        if ((op & BPF_FETCH) != 0 && op != BPF_CMPXCHG) reg[s] = u32(old);
    }

    private void atomic64(Program prog, int pc, int w) {
        int d = (w >>> DST_SHIFT) & 0xf;
        int s = (w >>> SRC_SHIFT) & 0xf;
        long a = reg[d] + prog.aux[pc];
        check(a, 8, true, pc, w);
        if ((a & 7) != 0) throw new Trap(Errno.EINVAL, pc, w, "misaligned atomic access of 8 bytes at 0x" + Long.toHexString(a));
        long v = reg[s];
        int op = prog.imm[pc];
        long old = switch (op & ~BPF_FETCH) {
            case BPF_ADD -> (long) ATOMIC64.getAndAdd(MEM, a, v);
            case BPF_OR -> (long) ATOMIC64.getAndBitwiseOr(MEM, a, v);
            case BPF_AND -> (long) ATOMIC64.getAndBitwiseAnd(MEM, a, v);
            case BPF_XOR -> (long) ATOMIC64.getAndBitwiseXor(MEM, a, v);
            case BPF_XCHG & ~BPF_FETCH -> (long) ATOMIC64.getAndSet(MEM, a, v);
            case BPF_CMPXCHG & ~BPF_FETCH -> {
                long witness = (long) ATOMIC64.compareAndExchange(MEM, a, reg[0], v);
                reg[0] = witness;
                yield witness;
            }
            default -> throw new Trap(Errno.EINVAL, pc, w, "invalid atomic operation 0x" + Integer.toHexString(op));
        };
        if ((op & BPF_FETCH) != 0 && op != BPF_CMPXCHG) reg[s] = old;
    }

    // ---- calls ----

    private void callHelper(Program prog, int pc, int w, int depth) {
        var helper = prog.helpers[prog.aux[pc]];
        callDepth = depth;
        callProgram = prog;
        try {
            reg[0] = helper.call(helperContext, reg[1], reg[2], reg[3], reg[4], reg[5]);
        } catch (Trap t) {
            throw t; // a callback's own failure
        } catch (HelperException e) {
            throw new Trap(Errno.EFAULT, pc, w, "helper bpf_" + helper.name() + " (" + helper.id() + ") failed: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new Trap(Errno.EFAULT, pc, w, "helper bpf_" + helper.name() + " (" + helper.id() + ") threw " + e, e);
        }
    }

    private void pushFrame(int depth, int returnPc, Program prog) {
        frameReturn[depth] = returnPc;
        frameProgram[depth] = prog;
        int b = depth * 5;
        System.arraycopy(reg, 6, frameSaved, b, 5); // r6..r10
        int callee = depth + 1;
        if (callee > deepestFrame) deepestFrame = callee;
        reg[BPF_REG_FP] = stackTop - (long) callee * MAX_BPF_STACK;
        setStackFrame(callee);
    }

    private Program popFrame(int depth) {
        System.arraycopy(frameSaved, depth * 5, reg, 6, 5);
        setStackFrame(depth);
        Program p = frameProgram[depth];
        frameProgram[depth] = null;
        return p;
    }

    /** Marks a tail call that counted but found an empty slot (the kernel counts it too). */
    private static final Program NO_PROGRAM;

    static {
        try {
            NO_PROGRAM = Program.load(new long[] {BPF_JMP | BPF_EXIT}, org.obpf.core.helper.HelperTable.empty());
        } catch (org.obpf.api.BpfException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * The kernel's {@code JMP_TAIL_CALL}: r2 is the prog array, r3 the index (u32). Returns null
     * when the tail call falls through without counting (index out of range, limit reached),
     * {@link #NO_PROGRAM} when it counts but the slot is empty, else the program to continue with.
     */
    private Program tailCallTarget(int tailCalls, int pc, int w) {
        if (!(AbstractBpfMap.byAddress(reg[2]) instanceof ProgArrayMap array)) {
            throw new Trap(Errno.EINVAL, pc, w, "bpf_tail_call: r2 = 0x" + Long.toHexString(reg[2]) + " is not a prog array");
        }
        int index = (int) reg[3];
        if (Integer.compareUnsigned(index, array.maxEntries()) >= 0) return null;
        if (tailCalls >= MAX_TAIL_CALL_CNT) return null;
        Object next = array.get(index);
        if (next == null) return NO_PROGRAM;
        if (!(next instanceof Program p)) {
            throw new Trap(Errno.EINVAL, pc, w, "bpf_tail_call: slot " + index + " holds " + next.getClass().getSimpleName()
                    + ", not an interpreter program");
        }
        return p;
    }

    /** Lets the run touch {@code p}'s own regions (its directly addressed map values). */
    private void addProgramRegions(Program p) {
        for (Program.Region r : p.regions) {
            addRegionOnce(r.memory().address(), r.memory().byteSize(), r.writable(), "map");
        }
    }

    private void addRegionOnce(long start, long length, boolean writable, String name) {
        for (int i = 0; i < regionCount; i++) {
            if (regionStart[i] == start && regionLength[i] == length && regionWritable[i] == writable) return;
        }
        addRegion(start, length, writable, name);
    }

    /** Ends a run from inside the loop; turned into an {@link ExecutionException} by {@code run}. */
    private static final class Trap extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final Errno errno;
        final int pc;
        final int op;

        Trap(Errno errno, int pc, int w, String message) {
            this(errno, pc, w, message, null);
        }

        Trap(Errno errno, int pc, int w, String message, Throwable cause) {
            super(message, cause, false, false);
            this.errno = errno;
            this.pc = pc;
            this.op = w & 0xff;
        }
    }

    /** What helpers see of the current run. */
    private final class Context implements HelperContext {
        @Override
        public MemorySegment memory(long address, long length, boolean write) {
            if (length < 0) throw new HelperException("negative length " + length);
            for (int i = 0; i < regionCount; i++) {
                long delta = address - regionStart[i];
                if (delta >= 0 && delta <= regionLength[i] - length) {
                    if (write && !regionWritable[i]) {
                        throw new HelperException("0x" + Long.toHexString(address) + " is in read-only " + regionName[i] + " memory");
                    }
                    return MEM.asSlice(address, length);
                }
            }
            throw new HelperException(length + " bytes at 0x" + Long.toHexString(address)
                    + " are outside the memory this run may touch (" + describeRegions() + ")");
        }

        @Override
        public void grant(MemorySegment region, boolean writable) {
            requireNative(region);
            addRegionOnce(region.address(), region.byteSize(), writable, "helper");
        }

        @Override
        public boolean hold(AutoCloseable resource) {
            for (int i = 0; i < heldCount; i++) {
                if (held[i] == resource) return false;
            }
            if (heldCount == held.length) held = Arrays.copyOf(held, heldCount * 2);
            held[heldCount++] = resource;
            return true;
        }

        @Override
        public long callback(long function, long r1, long r2, long r3, long r4, long r5) {
            Program prog = callProgram;
            int target = (int) function;
            if ((function & ~0xffffffffL) != Program.FUNC_TAG || prog == null || !prog.isCallback(target)) {
                throw new HelperException("0x" + Long.toHexString(function) + " is not a callback of the running program");
            }
            int depth = callDepth;
            if (depth + 1 >= MAX_CALL_FRAMES) {
                throw new HelperException("callback exceeds " + MAX_CALL_FRAMES + " frames (MAX_CALL_FRAMES)");
            }
            long[] saved = reg;
            int callee = depth + 1;
            if (callee > deepestFrame) deepestFrame = callee;
            setStackFrame(callee);
            try {
                return execute(prog, target, callee, r1, r2, r3, r4, r5);
            } finally {
                reg = saved;
                setStackFrame(depth);
                callDepth = depth;
                callProgram = prog;
            }
        }

        @Override
        public int processorId() {
            return Platform.currentCpu().orElse(0);
        }
    }
}
