package org.obpf.core.map;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ConcurrentSkipListMap;
import org.obpf.api.BpfException;

/**
 * Native element memory for hash-like maps, handed out in fixed-size elements from chunks that
 * live as long as the map. A freed element goes to a free list and is reused by a later update,
 * as the kernel reuses preallocated hash elements: a program still holding the old pointer reads
 * whatever the element holds now, never freed memory.
 */
final class ElemPool {
    private final AbstractBpfMap map;
    private final int elemSize;
    private final int chunkElems;
    private final ConcurrentLinkedDeque<Long> free = new ConcurrentLinkedDeque<>();
    private final ConcurrentSkipListMap<Long, MemorySegment> chunks = new ConcurrentSkipListMap<>();

    ElemPool(AbstractBpfMap map, int elemSize, int maxEntries) {
        this.map = map;
        this.elemSize = elemSize;
        this.chunkElems = Math.max(1, Math.min(maxEntries, Math.max(16, 65536 / elemSize)));
    }

    int elemSize() {
        return elemSize;
    }

    /** A zeroed element. */
    long alloc() throws BpfException {
        Long a = free.pollFirst();
        if (a != null) {
            AbstractBpfMap.MEM.asSlice(a, elemSize).fill((byte) 0);
            return a;
        }
        synchronized (this) {
            a = free.pollFirst();
            if (a != null) {
                AbstractBpfMap.MEM.asSlice(a, elemSize).fill((byte) 0);
                return a;
            }
            MemorySegment chunk = map.allocate((long) chunkElems * elemSize);
            chunks.put(chunk.address(), chunk);
            map.registerRegion(chunk);
            for (int i = chunkElems - 1; i >= 1; i--) free.addFirst(chunk.address() + (long) i * elemSize);
            return chunk.address();
        }
    }

    void free(long address) {
        free.addLast(address);
    }

    /** The chunk holding {@code address}, or null. */
    MemorySegment chunkOf(long address) {
        var e = chunks.floorEntry(address);
        if (e == null) return null;
        long d = address - e.getKey();
        return d >= 0 && d < e.getValue().byteSize() ? e.getValue() : null;
    }
}
