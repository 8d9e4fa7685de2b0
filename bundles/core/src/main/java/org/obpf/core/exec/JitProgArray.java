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
    private final int maxEntries;
    private final java.util.function.IntFunction<JitProgram> view;

    public JitProgArray(int maxEntries) {
        if (maxEntries <= 0) throw new IllegalArgumentException("max_entries must be positive: " + maxEntries);
        this.maxEntries = maxEntries;
        this.slots = new AtomicReferenceArray<>(maxEntries);
        this.view = null;
    }

    /**
     * A read-only view of slots kept elsewhere (a kernel-style prog array map): {@code view}
     * answers the program in a slot (null: empty) at the moment of each tail call.
     */
    public JitProgArray(int maxEntries, java.util.function.IntFunction<JitProgram> view) {
        if (maxEntries <= 0) throw new IllegalArgumentException("max_entries must be positive: " + maxEntries);
        this.maxEntries = maxEntries;
        this.slots = null;
        this.view = java.util.Objects.requireNonNull(view, "view");
    }

    public long address() {
        return handle.address();
    }

    public int maxEntries() {
        return maxEntries;
    }

    public JitProgram get(int index) {
        return view != null ? view.apply(index) : slots.get(index);
    }

    /** Puts {@code program} in slot {@code index} (null empties it); returns the previous one. */
    public JitProgram set(int index, JitProgram program) {
        if (view != null) throw new UnsupportedOperationException("a view of another prog array is read-only");
        if (index < 0 || index >= maxEntries) {
            throw new IndexOutOfBoundsException("prog array index " + index + " outside 0.." + (maxEntries - 1));
        }
        return slots.getAndSet(index, program);
    }
}
