package org.obpf.core.exec;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Pages for one program's machine code. Mapped read-write, written once, then made
 * read-execute by {@link #seal()}: never writable and executable at once. Runs
 * {@link #acquire() acquire} the memory and {@link #release() release} it when they return;
 * {@link #close()} (the program is unloaded) unmaps it only once no run is still inside.
 */
public final class ExecutableMemory implements AutoCloseable {
    private final long address;
    private final long size;
    /** 1 for the owner plus 1 per run inside; 0 once unmapped. */
    private final AtomicInteger refs = new AtomicInteger(1);
    private volatile boolean sealed;
    private volatile boolean closed;

    private ExecutableMemory(long address, long size) {
        this.address = address;
        this.size = size;
    }

    /** Maps at least {@code bytes} of read-write memory (whole pages). */
    public static ExecutableMemory allocate(long bytes) {
        if (bytes <= 0) throw new IllegalArgumentException("size must be positive: " + bytes);
        long size = (bytes + Libc.PAGE_SIZE - 1) / Libc.PAGE_SIZE * Libc.PAGE_SIZE;
        return new ExecutableMemory(Libc.mmapReadWrite(size), size);
    }

    public long address() {
        return address;
    }

    public long size() {
        return size;
    }

    public boolean isSealed() {
        return sealed;
    }

    /** Copies {@code code} to the start of the pages; only before {@link #seal()}. */
    public void write(byte[] code) {
        if (sealed || closed) throw new IllegalStateException("memory at 0x" + Long.toHexString(address) + " is no longer writable");
        if (code.length > size) throw new IllegalArgumentException(code.length + " bytes do not fit " + size);
        MemorySegment.copy(code, 0, Libc.segment(address, size), ValueLayout.JAVA_BYTE, 0, code.length);
    }

    /** Makes the pages read + execute (and no longer writable). */
    public void seal() {
        if (closed) throw new IllegalStateException("memory is unmapped");
        Libc.mprotect(address, size, Libc.PROT_READ | Libc.PROT_EXEC);
        sealed = true;
    }

    /** Enters a run: false if the memory is already unloaded. */
    public boolean acquire() {
        for (;;) {
            int r = refs.get();
            if (r == 0 || closed) return false;
            if (refs.compareAndSet(r, r + 1)) return true;
        }
    }

    /** Leaves a run; unmaps if the owner has closed and this was the last run. */
    public void release() {
        if (refs.decrementAndGet() == 0) Libc.munmap(address, size);
    }

    /** Runs inside right now (not counting the owner). */
    public int activeRuns() {
        return Math.max(0, refs.get() - (closed ? 0 : 1));
    }

    /** True once the pages are returned to the system. */
    public boolean isUnmapped() {
        return refs.get() == 0;
    }

    /** Unloads: the pages are unmapped now, or when the last run inside returns. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        release();
    }

    @Override
    public String toString() {
        return "ExecutableMemory[0x" + Long.toHexString(address) + ", " + size + " bytes" + (sealed ? ", r-x" : ", rw-")
                + (closed ? ", unloaded" : "") + "]";
    }
}
