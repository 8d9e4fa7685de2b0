package org.obpf.kernelref;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Locale;

/**
 * libc's {@code syscall(2)} and {@code close(2)} as downcalls, with errno captured right after
 * the call (a later JVM-internal call could overwrite it).
 */
final class Sys {
    private Sys() {}

    /** {@code __NR_bpf}: 321 on x86_64, 280 on arm64 (asm-generic table); -1 elsewhere. */
    static final long SYS_BPF = switch (System.getProperty("os.arch", "").toLowerCase(Locale.ROOT)) {
        case "amd64", "x86_64" -> 321;
        case "aarch64", "arm64" -> 280;
        default -> -1;
    };

    /** Why the downcalls could not be set up, or null when they were. */
    static final String LINK_FAILURE;
    private static final MethodHandle SYSCALL;
    private static final MethodHandle CLOSE;
    private static final StructLayout CAPTURE;
    private static final VarHandle ERRNO;

    static {
        MethodHandle syscall = null;
        MethodHandle close = null;
        StructLayout capture = null;
        VarHandle errno = null;
        String failure = null;
        try {
            if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
                throw new UnsupportedOperationException("bpf() is a Linux system call; this is " + System.getProperty("os.name"));
            }
            if (SYS_BPF < 0) {
                throw new UnsupportedOperationException("no bpf() system call number known for os.arch " + System.getProperty("os.arch"));
            }
            Linker linker = Linker.nativeLinker();
            capture = Linker.Option.captureStateLayout();
            errno = capture.varHandle(MemoryLayout.PathElement.groupElement("errno"));
            // long syscall(long number, ...): the variadic part starts at the second argument.
            syscall = linker.downcallHandle(
                    linker.defaultLookup().find("syscall").orElseThrow(() -> new UnsupportedOperationException("libc has no syscall symbol")),
                    FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG),
                    Linker.Option.firstVariadicArg(1), Linker.Option.captureCallState("errno"));
            close = linker.downcallHandle(
                    linker.defaultLookup().find("close").orElseThrow(() -> new UnsupportedOperationException("libc has no close symbol")),
                    FunctionDescriptor.of(JAVA_INT, JAVA_INT), Linker.Option.captureCallState("errno"));
        } catch (RuntimeException | Error e) {
            failure = e.toString();
        }
        SYSCALL = syscall;
        CLOSE = close;
        CAPTURE = capture;
        ERRNO = errno;
        LINK_FAILURE = failure;
    }

    /** Result of one system call: the return value, and errno when it is -1. */
    record Ret(long value, int errno) {
        boolean failed() {
            return value == -1;
        }
    }

    static Ret bpf(int cmd, MemorySegment attr, long size) {
        if (LINK_FAILURE != null) throw new IllegalStateException(LINK_FAILURE);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            long r = (long) SYSCALL.invokeExact(state, SYS_BPF, (long) cmd, attr, size);
            return new Ret(r, r == -1 ? (int) ERRNO.get(state, 0L) : 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static Ret close(int fd) {
        if (LINK_FAILURE != null) throw new IllegalStateException(LINK_FAILURE);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            int r = (int) CLOSE.invokeExact(state, fd);
            return new Ret(r, r == -1 ? (int) ERRNO.get(state, 0L) : 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }
}
