package org.obpf.core.exec;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A prog array of JIT'd programs: {@link #address()} is the map pointer a program passes to
 * {@code bpf_tail_call} in r2, as with the kernel's {@code struct bpf_array}. Slots change
 * atomically; a tail call sees each slot as it is at that moment.
 */
public final class JitProgArray {
    private final MemorySegment handle = Arena.ofAuto().allocate(8, 8);
    private final AtomicReferenceArray<JitProgram> slots;

    public JitProgArray(int maxEntries) {
        if (maxEntries <= 0) throw new IllegalArgumentException("max_entries must be positive: " + maxEntries);
        slots = new AtomicReferenceArray<>(maxEntries);
    }

    public long address() {
        return handle.address();
    }

    public int maxEntries() {
        return slots.length();
    }

    public JitProgram get(int index) {
        return slots.get(index);
    }

    /** Puts {@code program} in slot {@code index} (null empties it); returns the previous one. */
    public JitProgram set(int index, JitProgram program) {
        if (index < 0 || index >= slots.length()) {
            throw new IndexOutOfBoundsException("prog array index " + index + " outside 0.." + (slots.length() - 1));
        }
        return slots.getAndSet(index, program);
    }
}
