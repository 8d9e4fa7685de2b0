package org.obpf.core.exec;

import static org.obpf.api.jit.code.HostAbi.MAX_TAIL_CALL_CNT;
import static org.obpf.api.jit.code.HostAbi.TAIL_CALLS;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.ConcurrentHashMap;
import org.obpf.api.BpfException;
import org.obpf.api.Errno;
import org.obpf.api.helper.Helper;
import org.obpf.core.helper.HelperTable;

/**
 * Every helper of a {@link HelperTable} reachable at a native address: an upcall stub
 * ({@link Linker#upcallStub}) with the C signature {@code long (long r1, ..., long r5)}, so that
 * JIT'd code calls it like the kernel's JITs call a helper. The run's {@link
 * org.obpf.api.helper.HelperContext} is found through a thread-local. Nothing thrown by a helper
 * unwinds through JIT'd code: the stub catches it, records it in the run and returns
 * {@code -EFAULT}; the code checks the run's error word after every call and unwinds itself.
 *
 * <p>Also the tail-call runtime routine ({@link org.obpf.api.jit.code.HostAbi#TAIL_CALL_SYMBOL}).
 * Stubs live as long as this object (an automatic arena): keep it reachable while code linked
 * against it may run (every {@link JitProgram} holds its stubs).
 */
public final class HelperStubs {
    private static final FunctionDescriptor HELPER_DESCRIPTOR = FunctionDescriptor.of(ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG);
    private static final FunctionDescriptor TAIL_CALL_DESCRIPTOR = FunctionDescriptor.of(ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG);
    private static final MethodHandle CALL;
    private static final MethodHandle TAIL_CALL;

    static {
        try {
            var lookup = MethodHandles.lookup();
            CALL = lookup.findStatic(HelperStubs.class, "call", MethodType.methodType(long.class, Helper.class,
                    long.class, long.class, long.class, long.class, long.class));
            TAIL_CALL = lookup.findStatic(HelperStubs.class, "tailCall", MethodType.methodType(long.class,
                    long.class, long.class, long.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final HelperTable table;
    private final Arena arena = Arena.ofAuto();
    private final ConcurrentHashMap<Integer, MemorySegment> stubs = new ConcurrentHashMap<>();
    private final java.util.Map<Helper, MemorySegment> byHelper =
            java.util.Collections.synchronizedMap(new java.util.IdentityHashMap<>());
    private final MemorySegment tailCallStub;

    public HelperStubs(HelperTable table) {
        this.table = table;
        this.tailCallStub = Linker.nativeLinker().upcallStub(TAIL_CALL, TAIL_CALL_DESCRIPTOR, arena);
    }

    public HelperTable table() {
        return table;
    }

    /**
     * The native address of helper {@code id}'s stub, made on first use.
     *
     * @throws BpfException {@link Errno#EINVAL} if the table has no such helper
     */
    public long address(int id) throws BpfException {
        MemorySegment s = stubs.get(id);
        if (s != null) return s.address();
        Helper h = table.require(id);
        return stubs.computeIfAbsent(id, k -> Linker.nativeLinker().upcallStub(
                MethodHandles.insertArguments(CALL, 0, h), HELPER_DESCRIPTOR, arena)).address();
    }

    /**
     * The native address of a stub for {@code h} itself, made on first use: for helpers that are
     * not in {@link #table()} (those a prelinked program names by slot, synthetic ones included).
     */
    public long address(Helper h) {
        java.util.Objects.requireNonNull(h, "helper");
        synchronized (byHelper) {
            return byHelper.computeIfAbsent(h, k -> Linker.nativeLinker().upcallStub(
                    MethodHandles.insertArguments(CALL, 0, k), HELPER_DESCRIPTOR, arena)).address();
        }
    }

    /** The native address of the tail-call routine. */
    public long tailCallAddress() {
        return tailCallStub.address();
    }

    // Runs inside the upcall: must never throw.
    private static long call(Helper h, long r1, long r2, long r3, long r4, long r5) {
        JitRun run = JitRun.current();
        if (run == null) return -Errno.EFAULT.value();
        try {
            return h.call(run, r1, r2, r3, r4, r5);
        } catch (JitRun.CallbackFailed f) {
            return -Errno.EFAULT.value(); // the run context already holds the callback's error
        } catch (Throwable t) {
            run.helperFailed(h, t);
            return -Errno.EFAULT.value();
        }
    }

    /** {@code bpf_tail_call}'s lookup, with the kernel's order: index, count, slot. Never throws. */
    private static long tailCall(long runContext, long map, long index) {
        JitRun run = JitRun.current();
        if (run == null) return 0;
        try {
            JitProgArray array = run.progArrays == null ? null : run.progArrays.resolve(map);
            if (array == null) {
                run.runtimeFailed(Errno.EINVAL, "bpf_tail_call: r2 = 0x" + Long.toHexString(map) + " is not a prog array");
                return 0;
            }
            int i = (int) index;
            if (Integer.compareUnsigned(i, array.maxEntries()) >= 0) return 0;
            int count = run.ctx.get(ValueLayout.JAVA_INT, TAIL_CALLS);
            if (count >= MAX_TAIL_CALL_CNT) return 0;
            run.ctx.set(ValueLayout.JAVA_INT, TAIL_CALLS, count + 1);
            JitProgram target = array.get(i);
            if (target == null) return 0;
            if (!target.arch().equals(run.arch)) {
                run.runtimeFailed(Errno.EINVAL, "bpf_tail_call: slot " + i + " holds a program compiled for " + target.arch()
                        + ", this run is " + run.arch);
                return 0;
            }
            if (!target.memory().acquire()) return 0; // unloaded meanwhile: an empty slot
            run.entered.add(target.memory());
            run.programs.add(target);
            target.grantAllowed(run); // its direct map values, as the interpreter allows a tail call's target's
            return target.entryAddress();
        } catch (Throwable t) {
            run.runtimeFailed(Errno.EFAULT, "bpf_tail_call failed: " + t);
            return 0;
        }
    }
}
