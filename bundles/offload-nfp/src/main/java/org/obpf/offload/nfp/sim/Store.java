package org.obpf.offload.nfp.sim;

import java.util.Map;
import java.util.TreeMap;

/**
 * Blocks of a device memory (DRAM bytes, code-store words) handed out first fit; a freed block
 * joins its free neighbours. Units are whatever the caller counts in.
 */
public final class Store {
    private final String what;
    private final TreeMap<Long, Long> free = new TreeMap<>();
    private final TreeMap<Long, Long> used = new TreeMap<>();
    private final long total;

    public Store(String what, long start, long length) {
        this.what = what;
        this.total = length;
        free.put(start, length);
    }

    /** The start of a free block of {@code length} aligned to {@code align}, or -1. */
    public synchronized long allocate(long length, long align) {
        for (Map.Entry<Long, Long> e : free.entrySet()) {
            long at = (e.getKey() + align - 1) / align * align;
            if (at + length <= e.getKey() + e.getValue()) {
                claim(e.getKey(), e.getValue(), at, length);
                return at;
            }
        }
        return -1;
    }

    /** Takes exactly {@code [at, at + length)}; false when any of it is in use. */
    public synchronized boolean take(long at, long length) {
        Map.Entry<Long, Long> e = free.floorEntry(at);
        if (e == null || e.getKey() + e.getValue() < at + length) return false;
        claim(e.getKey(), e.getValue(), at, length);
        return true;
    }

    private void claim(long blockStart, long blockLength, long at, long length) {
        free.remove(blockStart);
        if (at > blockStart) free.put(blockStart, at - blockStart);
        if (blockStart + blockLength > at + length) free.put(at + length, blockStart + blockLength - at - length);
        used.put(at, Math.max(length, 0));
    }

    public synchronized void release(long at) {
        Long len = used.remove(at);
        if (len == null) return;
        long start = at, end = at + len;
        Map.Entry<Long, Long> before = free.floorEntry(at);
        if (before != null && before.getKey() + before.getValue() == start) {
            start = before.getKey();
            free.remove(start);
        }
        Long after = free.remove(end);
        if (after != null) end += after;
        free.put(start, end - start);
    }

    public synchronized long free() {
        return free.values().stream().mapToLong(Long::longValue).sum();
    }

    public synchronized long largest() {
        return free.values().stream().mapToLong(Long::longValue).max().orElse(0);
    }

    public long total() {
        return total;
    }

    @Override
    public String toString() {
        return what;
    }
}
