package org.obpf.core.interp;

/**
 * The programs a {@code bpf_tail_call} can jump to: the kernel's {@code BPF_MAP_TYPE_PROG_ARRAY}
 * as far as execution sees it. Slots may change while programs run; a run sees each slot as it is
 * at the moment of the tail call.
 */
public interface ProgArray {

    /** Number of slots; indexes at or above it make the tail call fall through. */
    int maxEntries();

    /** The program in slot {@code index} ({@code 0 <= index < maxEntries()}), or null if empty. */
    Program get(int index);
}
