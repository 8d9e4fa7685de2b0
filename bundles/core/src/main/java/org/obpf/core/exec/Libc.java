package org.obpf.core.exec;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/** The C library's memory-mapping calls, bound through the Foreign Function and Memory API. */
final class Libc {
    private Libc() {}

    static final int PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4;
    static final int MAP_PRIVATE = 2, MAP_ANONYMOUS = 0x20;
    static final int SC_PAGESIZE = 30;

    private static final MethodHandle MMAP, MPROTECT, MUNMAP, SYSCONF;
    static final long PAGE_SIZE;

    static {
        Linker linker = Linker.nativeLinker();
        SymbolLookup libc = linker.defaultLookup();
        MMAP = linker.downcallHandle(libc.find("mmap").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
        MPROTECT = linker.downcallHandle(libc.find("mprotect").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
        MUNMAP = linker.downcallHandle(libc.find("munmap").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
        SYSCONF = linker.downcallHandle(libc.find("sysconf").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_INT));
        long page;
        try {
            page = (long) SYSCONF.invokeExact(SC_PAGESIZE);
        } catch (Throwable t) {
            throw new ExceptionInInitializerError(t);
        }
        PAGE_SIZE = page > 0 ? page : 4096;
    }

    /** Anonymous private read-write pages; returns the address. */
    static long mmapReadWrite(long size) {
        long a;
        try {
            a = (long) MMAP.invokeExact(0L, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0L);
        } catch (Throwable t) {
            throw new IllegalStateException("mmap failed", t);
        }
        if (a == -1L || a == 0L) throw new IllegalStateException("mmap of " + size + " bytes failed");
        return a;
    }

    static void mprotect(long address, long size, int prot) {
        int rc;
        try {
            rc = (int) MPROTECT.invokeExact(address, size, prot);
        } catch (Throwable t) {
            throw new IllegalStateException("mprotect failed", t);
        }
        if (rc != 0) throw new IllegalStateException("mprotect(0x" + Long.toHexString(address) + ", " + size + ", " + prot + ") failed");
    }

    static void munmap(long address, long size) {
        int rc;
        try {
            rc = (int) MUNMAP.invokeExact(address, size);
        } catch (Throwable t) {
            throw new IllegalStateException("munmap failed", t);
        }
        if (rc != 0) throw new IllegalStateException("munmap(0x" + Long.toHexString(address) + ", " + size + ") failed");
    }

    static MemorySegment segment(long address, long size) {
        return MemorySegment.ofAddress(address).reinterpret(size);
    }
}
