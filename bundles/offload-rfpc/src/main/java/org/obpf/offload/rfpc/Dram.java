package org.obpf.offload.rfpc;

import java.util.Map;
import java.util.TreeMap;
import org.obpf.api.BpfException;
import org.obpf.api.Errno;

/**
 * A first-fit allocator over a device memory range (DRAM for maps, code memory for programs):
 * 8-byte aligned blocks, neighbours merged on free. Addresses are device addresses.
 */
final class Dram {
    private final String what;
    private final long base;
    private final long size;
    /** Free blocks: start to length. */
    private final TreeMap<Long, Long> free = new TreeMap<>();
    private final Map<Long, Long> used = new TreeMap<>();

    Dram(String what, long base, long size) {
        this.what = what;
        this.base = base;
        this.size = size;
        free.put(base, size);
    }

    synchronized long allocate(long bytes) throws BpfException {
        long want = (Math.max(bytes, 1) + 7) & ~7L;
        for (Map.Entry<Long, Long> e : free.entrySet()) {
            if (e.getValue() >= want) {
                long at = e.getKey();
                free.remove(at);
                if (e.getValue() > want) free.put(at + want, e.getValue() - want);
                used.put(at, want);
                return at;
            }
        }
        throw new BpfException(Errno.ENOMEM, what + ": no room for " + bytes + " bytes (" + free() + " of " + size
                + " free, largest block " + largest() + ")");
    }

    /** Takes exactly {@code [at, at + bytes)}, which must be free (static offload picks its address). */
    synchronized void take(long at, long bytes) throws BpfException {
        long want = (Math.max(bytes, 1) + 7) & ~7L;
        Map.Entry<Long, Long> e = free.floorEntry(at);
        if ((at & 7) != 0 || e == null || e.getKey() + e.getValue() < at + want) {
            throw new BpfException(Errno.EBUSY, String.format("%s: 0x%x..0x%x is not free", what, at, at + want));
        }
        free.remove(e.getKey());
        if (at > e.getKey()) free.put(e.getKey(), at - e.getKey());
        if (e.getKey() + e.getValue() > at + want) free.put(at + want, e.getKey() + e.getValue() - at - want);
        used.put(at, want);
    }

    synchronized void release(long at) {
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

    synchronized long free() {
        return free.values().stream().mapToLong(Long::longValue).sum();
    }

    synchronized long largest() {
        return free.values().stream().mapToLong(Long::longValue).max().orElse(0);
    }

    long base() {
        return base;
    }

    long size() {
        return size;
    }
}
