package org.obpf.core.map;

import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.obpf.api.BpfException;
import org.obpf.api.Errno;
import org.obpf.api.map.MapSpec;

/**
 * {@code BPF_MAP_TYPE_PERF_EVENT_ARRAY}: per-CPU (per-slot) event buffers that
 * {@code bpf_perf_event_output} writes raw samples to. In the kernel each slot holds a perf event
 * fd whose ring user space maps; OBPF has no perf events, so the host {@link #attach attaches} a
 * bounded {@link PerfBuffer} to a slot and reads samples from it, as libbpf's {@code perf_buffer}
 * callback gets them: the raw data, padded so that its u32 size header plus the data is a
 * multiple of 8 bytes.
 */
public final class PerfEventArrayMap extends AbstractBpfMap {
    private final AtomicReferenceArray<PerfBuffer> slots;

    /** A slot's buffer: samples oldest first, and the count of samples lost because it was full. */
    public static final class PerfBuffer {
        private final ArrayDeque<byte[]> samples = new ArrayDeque<>();
        private final int capacity;
        private long lost;

        PerfBuffer(int capacity) {
            this.capacity = capacity;
        }

        synchronized boolean offer(byte[] sample) {
            if (samples.size() >= capacity) {
                lost++;
                return false;
            }
            samples.addLast(sample);
            return true;
        }

        /** Removes and returns the samples, oldest first. */
        public synchronized List<byte[]> poll() {
            List<byte[]> out = new ArrayList<>(samples);
            samples.clear();
            return out;
        }

        public synchronized long lost() {
            return lost;
        }
    }

    PerfEventArrayMap(MapSpec spec) throws BpfException {
        super(validate(spec), 0);
        this.slots = new AtomicReferenceArray<>(spec.maxEntries());
    }

    private static MapSpec validate(MapSpec spec) throws BpfException {
        if (spec.maxEntries() == 0 || spec.keySize() != 4 || spec.valueSize() != 4) {
            throw new BpfException(Errno.EINVAL, "map " + spec.name() + ": perf_event_array needs key size 4, value size 4 and"
                    + " max_entries > 0 (got key " + spec.keySize() + ", value " + spec.valueSize() + ", max_entries " + spec.maxEntries() + ")");
        }
        return spec;
    }

    /** Attaches a buffer of {@code capacity} samples to slot {@code index} (replacing any). */
    public PerfBuffer attach(int index, int capacity) throws BpfException {
        if (index < 0 || index >= spec.maxEntries()) throw error(Errno.E2BIG, "index " + index + " is outside 0.." + (spec.maxEntries() - 1));
        PerfBuffer b = new PerfBuffer(capacity);
        slots.set(index, b);
        return b;
    }

    public int maxEntries() {
        return spec.maxEntries();
    }

    /**
     * {@code perf_event_output} to slot {@code index}: 0, -E2BIG outside the array, -ENOENT for a
     * slot with no buffer, -ENOSPC when the buffer is full (the sample counts as lost).
     */
    public long output(int index, byte[] data) {
        if (Integer.compareUnsigned(index, spec.maxEntries()) >= 0) return -Errno.E2BIG.value();
        PerfBuffer b = slots.get(index);
        if (b == null) return -Errno.ENOENT.value();
        int padded = ((data.length + 4 + 7) & ~7) - 4;
        byte[] sample = java.util.Arrays.copyOf(data, padded);
        return b.offer(sample) ? 0 : -Errno.ENOSPC.value();
    }

    @Override public long lookupElem(MemorySegment key) { return 0; }
    @Override public long updateElem(MemorySegment key, MemorySegment value, long flags) { return -Errno.EINVAL.value(); }
    @Override public long deleteElem(MemorySegment key) { return -Errno.EINVAL.value(); }
    @Override public MemorySegment grantRegion(long valueAddress) { return null; }

    @Override
    protected byte[] lookupHost(byte[] key) throws BpfException {
        throw error(Errno.ENOTSUPP, "perf_event_array elements cannot be looked up");
    }

    @Override
    protected void updateHost(byte[] key, byte[] value, long flags) throws BpfException {
        throw error(Errno.EOPNOTSUPP, "OBPF has no perf event fds; attach a buffer to the slot instead");
    }

    @Override
    protected void deleteHost(byte[] key) throws BpfException {
        int i = indexKey(key);
        if (Integer.compareUnsigned(i, spec.maxEntries()) >= 0) throw error(Errno.E2BIG, "index " + Integer.toUnsignedString(i) + " is outside the array");
        if (slots.getAndSet(i, null) == null) throw error(Errno.ENOENT, "slot " + i + " is empty");
    }

    @Override
    protected byte[] nextKeyHost(byte[] key) throws BpfException {
        return nextIndexKey(key);
    }
}
