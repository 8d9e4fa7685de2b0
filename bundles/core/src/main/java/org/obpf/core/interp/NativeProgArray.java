package org.obpf.core.interp;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A prog array with a native address: {@link #address()} is what a program holds as the map
 * pointer (the kernel's {@code struct bpf_map *}), so prelinked code passes it to
 * {@code bpf_tail_call} exactly as kernel code does. Slots are updated atomically.
 */
public final class NativeProgArray implements ProgArray {
    private final MemorySegment handle;
    private final AtomicReferenceArray<Program> slots;

    public NativeProgArray(int maxEntries) {
        if (maxEntries <= 0) throw new IllegalArgumentException("max_entries must be positive: " + maxEntries);
        // 8 bytes of our own so that the address is unique and stays valid while this object lives.
        this.handle = Arena.ofAuto().allocate(8, 8);
        this.slots = new AtomicReferenceArray<>(maxEntries);
    }

    /** The map pointer programs use for this array. */
    public long address() {
        return handle.address();
    }

    @Override
    public int maxEntries() {
        return slots.length();
    }

    @Override
    public Program get(int index) {
        return slots.get(index);
    }

    /** Puts {@code program} in slot {@code index} (null empties it); returns the previous one. */
    public Program set(int index, Program program) {
        if (index < 0 || index >= slots.length()) {
            throw new IndexOutOfBoundsException("prog array index " + index + " outside 0.." + (slots.length() - 1));
        }
        return slots.getAndSet(index, program);
    }
}
