package org.obpf.core.exec;

import static org.obpf.api.jit.code.HostAbi.*;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;
import org.obpf.api.Errno;
import org.obpf.api.helper.Helper;
import org.obpf.api.helper.HelperContext;
import org.obpf.api.helper.HelperException;
import org.obpf.core.helper.Platform;
import org.obpf.core.interp.ExecutionException;

/**
 * The state of one run on one thread: the {@link org.obpf.api.jit.code.HostAbi} run context
 * block and BPF stack in native memory, the failure a helper reported, the programs a tail call
 * entered. Found by helper and tail-call upcalls through {@link #current()}. Each thread reuses
 * one; a run started from inside a helper gets another (reused in turn).
 *
 * <p>Callbacks ({@link #callback}): the value a program loads with {@code lddw rX,
 * BPF_PSEUDO_FUNC} is the address of the sub-program's callback entry, the host back-end's
 * {@code subprogOffsets} entry for it, called {@code long cb(long r1, ..., long r5, long
 * runContext)} (the kernel's helpers call the JIT'd sub-program's address likewise). It runs the
 * sub-program one frame below the helper's caller and comes back with {@code ERROR} set if the
 * callback failed; the helper is then unwound with {@link CallbackFailed}.
 */
final class JitRun implements HelperContext {
    /** Each thread's first run state; runs started by helpers of a run in progress chain below it ({@link #inner}). */
    private static final ThreadLocal<JitRun> ROOT = new ThreadLocal<>();
    private static final int STACK_SIZE = MAX_CALL_FRAMES * STACK_FRAME;
    private static final MemorySegment ALL = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);
    private static final MethodHandle CALLBACK = Linker.nativeLinker().downcallHandle(FunctionDescriptor.of(ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_LONG));

    /** Unwinds a helper whose callback ended the run with an error; the run context holds the error. */
    static final class CallbackFailed extends RuntimeException {
        CallbackFailed() {
            super("the callback ended the run with an error", null, false, false);
        }
    }

    final MemorySegment ctx;
    /** The run context up to the region table: reset by every run. */
    private final MemorySegment header;
    private final MemorySegment stack;
    private final long stackTop;
    private boolean busy;
    private JitRun inner;

    String arch;
    JitProgArrays progArrays;
    Helper failedHelper;
    Throwable helperError;
    String runtimeError;
    /** The slot that failed inside a callback (the helper's call slot overwrites ERROR_INSN on the way out), or -1. */
    int callbackErrorInsn = -1;
    /** ERROR_ADDRESS and ERROR_ACCESS as the failed callback left them (the helper's call site overwrites the address). */
    long callbackErrorAddress;
    int callbackErrorAccess;
    /** The programs this run entered (the first, then tail calls' targets): their callbacks may be called. */
    final List<JitProgram> programs = new ArrayList<>();
    final List<ExecutableMemory> entered = new ArrayList<>();
    private final List<AutoCloseable> held = new ArrayList<>();

    private JitRun() {
        Arena arena = Arena.ofAuto();
        ctx = arena.allocate(CONTEXT_SIZE, 16);
        header = ctx.asSlice(0, REGIONS);
        stack = arena.allocate(STACK_SIZE, 16);
        stackTop = stack.address() + STACK_SIZE;
    }

    /** The run in progress on this thread (the innermost, when a helper started another), or null. */
    static JitRun current() {
        JitRun r = ROOT.get();
        if (r == null || !r.busy) return null;
        while (r.inner != null && r.inner.busy) r = r.inner;
        return r;
    }

    /**
     * Starts a run on this thread: the thread's run state, or when a helper of a run in progress
     * starts another, the next one down the chain (each reused from run to run).
     */
    static JitRun enter(String arch, JitProgArrays progArrays) {
        JitRun run = ROOT.get();
        if (run == null) {
            run = new JitRun();
            ROOT.set(run);
        }
        while (run.busy) {
            if (run.inner == null) run.inner = new JitRun();
            run = run.inner;
        }
        run.busy = true;
        run.arch = arch;
        run.progArrays = progArrays;
        run.failedHelper = null;
        run.helperError = null;
        run.runtimeError = null;
        run.callbackErrorInsn = -1;
        run.header.fill((byte) 0);
        run.ctx.set(ValueLayout.JAVA_LONG, STACK_TOP, run.stackTop);
        return run;
    }

    /**
     * Leaves the run: releases the programs tail calls entered, closes what helpers held, and
     * zeroes the stack bytes the run's programs may have written ({@link JitProgram#stackBytes}),
     * so that no run sees what an earlier one left there (the stack starts zeroed).
     */
    void exit() {
        int dirty = 0;
        for (JitProgram p : programs) dirty = Math.max(dirty, p.stackBytes());
        if (dirty > 0) stack.asSlice(STACK_SIZE - dirty, dirty).fill((byte) 0);
        programs.clear();
        for (ExecutableMemory m : entered) m.release();
        entered.clear();
        for (int i = held.size() - 1; i >= 0; i--) {
            try {
                held.get(i).close();
            } catch (Exception ignored) {
                // a held resource that fails to close has nothing left to give back to this run
            }
        }
        held.clear();
        progArrays = null;
        busy = false;
    }

    long contextAddress() {
        return ctx.address();
    }

    void addRegion(long start, long length, boolean writable) {
        int count = ctx.get(ValueLayout.JAVA_INT, REGION_COUNT);
        if (count == MAX_REGIONS) throw new HelperException("region table full: a run may touch at most " + MAX_REGIONS + " regions");
        long e = REGIONS + (long) count * REGION_SIZE;
        ctx.set(ValueLayout.JAVA_LONG, e + REGION_START, start);
        ctx.set(ValueLayout.JAVA_LONG, e + REGION_END, start + length);
        ctx.set(ValueLayout.JAVA_LONG, e + REGION_WRITABLE, writable ? 1 : 0);
        ctx.set(ValueLayout.JAVA_INT, REGION_COUNT, count + 1);
    }

    /** Records a helper's failure; the generated code sees ERROR and unwinds after the call returns. */
    void helperFailed(Helper h, Throwable t) {
        if (helperError == null) {
            failedHelper = h;
            helperError = t;
        }
        ctx.set(ValueLayout.JAVA_INT, ERROR, Errno.EFAULT.value());
    }

    /** Records a failure of a runtime routine (tail call) with its errno. */
    void runtimeFailed(Errno errno, String message) {
        if (runtimeError == null) runtimeError = message;
        ctx.set(ValueLayout.JAVA_INT, ERROR, errno.value());
    }

    /** Throws the error the run ended with, if any. */
    void checkError() throws ExecutionException {
        int err = ctx.get(ValueLayout.JAVA_INT, ERROR);
        if (err == 0) return;
        int insn = callbackErrorInsn >= 0 ? callbackErrorInsn : errorInsn();
        Errno errno = errno(err);
        String where = "insn " + insn + ": ";
        if (helperError != null) {
            String what = helperError instanceof HelperException ? "failed: " + helperError.getMessage() : "threw " + helperError;
            throw new ExecutionException(Errno.EFAULT, insn, where + "helper bpf_" + failedHelper.name() + " (" + failedHelper.id() + ") "
                    + what, helperError);
        }
        if (runtimeError != null) throw new ExecutionException(errno, insn, where + runtimeError, null);
        if (err == EFAULT) {
            boolean inCallback = callbackErrorInsn >= 0;
            long address = inCallback ? callbackErrorAddress : ctx.get(ValueLayout.JAVA_LONG, ERROR_ADDRESS);
            int access = inCallback ? callbackErrorAccess : ctx.get(ValueLayout.JAVA_INT, ERROR_ACCESS);
            throw new ExecutionException(errno, insn, where + ((access & ACCESS_WRITE) != 0 ? "write of " : "read of ")
                    + (access & 0xff) + " bytes at 0x" + Long.toHexString(address)
                    + " is outside the memory this run may touch (" + describeRegions() + ")", null);
        }
        if (err == E2BIG) {
            throw new ExecutionException(errno, insn, where + "call depth exceeds " + MAX_CALL_FRAMES + " frames (MAX_CALL_FRAMES)", null);
        }
        throw new ExecutionException(errno, insn, where + "run ended with " + errno, null);
    }

    /**
     * The slot the run ended at: ERROR_INSN, or after a helper failed (the x86-64 back-end checks
     * helper calls out of line and records no slot), the instruction whose code holds the call
     * that returns to ERROR_ADDRESS, in whichever program the run entered holds it.
     */
    private int errorInsn() {
        int recorded = ctx.get(ValueLayout.JAVA_INT, ERROR_INSN);
        if (helperError == null) return recorded;
        long ret = ctx.get(ValueLayout.JAVA_LONG, ERROR_ADDRESS);
        for (JitProgram p : programs) {
            org.obpf.api.jit.LinkedImage l = p.linked();
            long base = l.loadAddress();
            if (ret <= base || ret > base + l.size()) continue;
            int pos = (int) (ret - 1 - base);
            int[] off = l.insnOffsets();
            int found = -1;
            for (int i = 0; i + 1 < off.length && off[i] <= pos; i++) found = i;
            return found;
        }
        return recorded; // a back-end that records the slot itself
    }

    private static Errno errno(int value) {
        for (Errno e : Errno.values()) if (e.value() == value) return e;
        return Errno.EFAULT;
    }

    private String describeRegions() {
        StringBuilder sb = new StringBuilder("stack 0x").append(Long.toHexString(stackTop - STACK_SIZE)).append("..0x")
                .append(Long.toHexString(stackTop));
        int count = ctx.get(ValueLayout.JAVA_INT, REGION_COUNT);
        for (int i = 0; i < count; i++) {
            long e = REGIONS + (long) i * REGION_SIZE;
            sb.append(", 0x").append(Long.toHexString(ctx.get(ValueLayout.JAVA_LONG, e + REGION_START))).append("..0x")
                    .append(Long.toHexString(ctx.get(ValueLayout.JAVA_LONG, e + REGION_END)))
                    .append(ctx.get(ValueLayout.JAVA_LONG, e + REGION_WRITABLE) != 0 ? " rw" : " ro");
        }
        return sb.toString();
    }

    // ---- HelperContext ----

    @Override
    public MemorySegment memory(long address, long length, boolean write) {
        if (length < 0) throw new HelperException("negative length " + length);
        int depth = ctx.get(ValueLayout.JAVA_INT, CALL_DEPTH);
        long stackLow = stackTop - (long) (depth + 1) * STACK_FRAME;
        long d = address - stackLow;
        if (d >= 0 && d <= stackTop - stackLow - length) return ALL.asSlice(address, length);
        int count = ctx.get(ValueLayout.JAVA_INT, REGION_COUNT);
        for (int i = 0; i < count; i++) {
            long e = REGIONS + (long) i * REGION_SIZE;
            long start = ctx.get(ValueLayout.JAVA_LONG, e + REGION_START);
            long end = ctx.get(ValueLayout.JAVA_LONG, e + REGION_END);
            long delta = address - start;
            if (delta >= 0 && delta <= end - start - length) {
                if (write && ctx.get(ValueLayout.JAVA_LONG, e + REGION_WRITABLE) == 0) {
                    throw new HelperException("0x" + Long.toHexString(address) + " is in read-only memory");
                }
                return ALL.asSlice(address, length);
            }
        }
        throw new HelperException(length + " bytes at 0x" + Long.toHexString(address)
                + " are outside the memory this run may touch (" + describeRegions() + ")");
    }

    @Override
    public void grant(MemorySegment region, boolean writable) {
        if (!region.isNative()) throw new IllegalArgumentException("memory for a BPF program must be native memory: " + region);
        long start = region.address(), end = start + region.byteSize();
        int count = ctx.get(ValueLayout.JAVA_INT, REGION_COUNT);
        for (int i = 0; i < count; i++) { // a lookup repeated in a loop grants the same value again
            long e = REGIONS + (long) i * REGION_SIZE;
            if (ctx.get(ValueLayout.JAVA_LONG, e + REGION_START) == start && ctx.get(ValueLayout.JAVA_LONG, e + REGION_END) == end
                    && (ctx.get(ValueLayout.JAVA_LONG, e + REGION_WRITABLE) != 0) == writable) {
                return;
            }
        }
        addRegion(start, region.byteSize(), writable);
    }

    @Override
    public boolean hold(AutoCloseable resource) {
        for (AutoCloseable r : held) if (r == resource) return false;
        held.add(resource);
        return true;
    }

    @Override
    public long callback(long function, long r1, long r2, long r3, long r4, long r5) {
        if (ctx.get(ValueLayout.JAVA_INT, ERROR) != 0) throw new CallbackFailed(); // a helper that went on after one failed
        boolean known = false;
        for (JitProgram p : programs) {
            if (p.isCallbackEntry(function)) {
                known = true;
                break;
            }
        }
        if (!known) throw new HelperException("0x" + Long.toHexString(function) + " is not a callback of the running program");
        int depth = ctx.get(ValueLayout.JAVA_INT, CALL_DEPTH);
        if (depth + 1 >= MAX_CALL_FRAMES) {
            throw new HelperException("callback exceeds " + MAX_CALL_FRAMES + " frames (MAX_CALL_FRAMES)");
        }
        long r0;
        try {
            r0 = (long) CALLBACK.invokeExact(MemorySegment.ofAddress(function), r1, r2, r3, r4, r5, ctx.address());
        } catch (Throwable t) {
            throw new IllegalStateException("callback at 0x" + Long.toHexString(function) + " failed: " + t, t);
        }
        if (ctx.get(ValueLayout.JAVA_INT, ERROR) != 0) {
            if (callbackErrorInsn < 0) {
                callbackErrorInsn = errorInsn();
                callbackErrorAddress = ctx.get(ValueLayout.JAVA_LONG, ERROR_ADDRESS);
                callbackErrorAccess = ctx.get(ValueLayout.JAVA_INT, ERROR_ACCESS);
            }
            throw new CallbackFailed();
        }
        return r0;
    }

    @Override
    public int processorId() {
        return Platform.currentCpu().orElse(0);
    }
}
