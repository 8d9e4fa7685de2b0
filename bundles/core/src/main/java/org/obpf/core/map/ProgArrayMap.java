package org.obpf.core.map;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.IntFunction;
import org.obpf.api.BpfException;
import org.obpf.api.Errno;
import org.obpf.api.map.MapSpec;

/**
 * {@code BPF_MAP_TYPE_PROG_ARRAY}: the programs {@code bpf_tail_call} jumps to. Slots hold the
 * execution engine's loaded programs (an interpreter {@code Program}, a JIT's image...), set from
 * the host by program fd (resolved through {@link #programs}) or directly with {@link #set}.
 * A run sees each slot as it is at the moment of the tail call. Programs cannot look up, update
 * or delete elements of this map (the kernel's verifier refuses it; here those calls fail).
 */
public final class ProgArrayMap extends AbstractBpfMap {
    private final AtomicReferenceArray<Object> slots;
    private final AtomicReferenceArray<Integer> fds;
    private volatile IntFunction<Object> programs = fd -> null;

    ProgArrayMap(MapSpec spec) throws BpfException {
        super(validate(spec), 0);
        this.slots = new AtomicReferenceArray<>(spec.maxEntries());
        this.fds = new AtomicReferenceArray<>(spec.maxEntries());
    }

    private static MapSpec validate(MapSpec spec) throws BpfException {
        if (spec.maxEntries() == 0 || spec.keySize() != 4 || spec.valueSize() != 4) {
            throw new BpfException(Errno.EINVAL, "map " + spec.name() + ": prog_array needs key size 4, value size 4 and max_entries > 0"
                    + " (got key " + spec.keySize() + ", value " + spec.valueSize() + ", max_entries " + spec.maxEntries() + ")");
        }
        return spec;
    }

    /** How host-side updates turn a program fd into the program to store. */
    public ProgArrayMap programs(IntFunction<Object> byFd) {
        this.programs = byFd;
        return this;
    }

    public int maxEntries() {
        return spec.maxEntries();
    }

    /** The program in slot {@code index}, or null. */
    public Object get(int index) {
        return Integer.compareUnsigned(index, spec.maxEntries()) >= 0 ? null : slots.get(index);
    }

    /** Puts {@code program} in slot {@code index} (null empties it); returns the previous one. */
    public Object set(int index, Object program) {
        if (index < 0 || index >= spec.maxEntries()) {
            throw new IndexOutOfBoundsException("prog array index " + index + " outside 0.." + (spec.maxEntries() - 1));
        }
        fds.set(index, null);
        return slots.getAndSet(index, program);
    }

    @Override public long lookupElem(MemorySegment key) { return 0; }
    @Override public long updateElem(MemorySegment key, MemorySegment value, long flags) { return -Errno.EINVAL.value(); }
    @Override public long deleteElem(MemorySegment key) { return -Errno.EINVAL.value(); }
    @Override public MemorySegment grantRegion(long valueAddress) { return null; }

    private int index(byte[] key) throws BpfException {
        int i = indexKey(key);
        if (Integer.compareUnsigned(i, spec.maxEntries()) >= 0) {
            throw error(Errno.E2BIG, "index " + Integer.toUnsignedString(i) + " is outside 0.." + (spec.maxEntries() - 1));
        }
        return i;
    }

    /** The fd the slot was set from (the kernel answers the program's id; OBPF's program ids are their fds). */
    @Override
    protected byte[] lookupHost(byte[] key) throws BpfException {
        int i;
        try {
            i = index(key);
        } catch (BpfException e) {
            throw error(Errno.ENOENT, e.getMessage());
        }
        Integer fd = fds.get(i);
        if (slots.get(i) == null) throw error(Errno.ENOENT, "slot " + i + " is empty");
        int v = fd == null ? 0 : fd;
        return new byte[] {(byte) v, (byte) (v >> 8), (byte) (v >> 16), (byte) (v >> 24)};
    }

    @Override
    protected void updateHost(byte[] key, byte[] value, long flags) throws BpfException {
        requireLive();
        int i = index(key);
        checkValue(value);
        // bpf_fd_array_map_update_elem accepts BPF_ANY only
        if (flags != BPF_ANY) throw error(Errno.EINVAL, "prog_array updates take BPF_ANY only");
        int fd = value[0] & 0xff | (value[1] & 0xff) << 8 | (value[2] & 0xff) << 16 | (value[3] & 0xff) << 24;
        Object p = programs.apply(fd);
        if (p == null) throw error(Errno.EBADF, "no program with fd " + fd);
        slots.set(i, p);
        fds.set(i, fd);
    }

    @Override
    protected void deleteHost(byte[] key) throws BpfException {
        requireLive();
        int i = index(key);
        fds.set(i, null);
        if (slots.getAndSet(i, null) == null) throw error(Errno.ENOENT, "slot " + i + " is empty");
    }

    @Override
    protected byte[] nextKeyHost(byte[] key) throws BpfException {
        return nextIndexKey(key);
    }
}
