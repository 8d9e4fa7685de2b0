package org.obpf.core.helper;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * The C library calls behind the time and processor helpers: {@code clock_gettime} and
 * {@code sched_getcpu}, bound lazily through the Foreign Function and Memory API so that nothing
 * native is touched unless a program calls one of those helpers.
 */
public final class Platform {
    private Platform() {}

    /** Linux clock ids ({@code include/uapi/linux/time.h}). */
    public static final int CLOCK_MONOTONIC = 1;
    public static final int CLOCK_BOOTTIME = 7;

    private static final class Libc {
        static final MethodHandle CLOCK_GETTIME;
        static final MethodHandle SCHED_GETCPU;

        static {
            Linker linker = Linker.nativeLinker();
            SymbolLookup libc = linker.defaultLookup();
            CLOCK_GETTIME = libc.find("clock_gettime")
                    .map(a -> linker.downcallHandle(a, FunctionDescriptor.of(ValueLayout.JAVA_INT,
                            ValueLayout.JAVA_INT, ValueLayout.ADDRESS)))
                    .orElse(null);
            SCHED_GETCPU = libc.find("sched_getcpu")
                    .map(a -> linker.downcallHandle(a, FunctionDescriptor.of(ValueLayout.JAVA_INT)))
                    .orElse(null);
        }
    }

    // struct timespec { time_t tv_sec; long tv_nsec; }: one per thread, reused by every call.
    private static final ThreadLocal<MemorySegment> TIMESPEC =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(16, 8));

    /**
     * {@code clock_gettime(clock)} in nanoseconds, as the kernel's {@code ktime_get_ns} (monotonic)
     * and {@code ktime_get_boot_ns} (boot time) report it.
     *
     * @throws UnsupportedOperationException if the C library has no {@code clock_gettime} or the
     *     clock is not supported by this system
     */
    public static long clockNanos(int clock) {
        MethodHandle h = Libc.CLOCK_GETTIME;
        if (h == null) throw new UnsupportedOperationException("clock_gettime is not available in this C library");
        MemorySegment ts = TIMESPEC.get();
        int rc;
        try {
            rc = (int) h.invokeExact(clock, ts);
        } catch (Throwable t) {
            throw new UnsupportedOperationException("clock_gettime(" + clock + ") failed", t);
        }
        if (rc != 0) throw new UnsupportedOperationException("clock_gettime(" + clock + ") returned " + rc);
        return ts.get(ValueLayout.JAVA_LONG, 0) * 1_000_000_000L + ts.get(ValueLayout.JAVA_LONG, 8);
    }

    /** The processor the calling thread runs on ({@code sched_getcpu}), if the system tells. */
    public static Optional<Integer> currentCpu() {
        MethodHandle h = Libc.SCHED_GETCPU;
        if (h == null) return Optional.empty();
        try {
            int cpu = (int) h.invokeExact();
            return cpu < 0 ? Optional.empty() : Optional.of(cpu);
        } catch (Throwable t) {
            return Optional.empty();
        }
    }
}
