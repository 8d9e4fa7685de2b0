package org.obpf.core.helper;

import java.lang.foreign.MemorySegment;
import java.util.List;
import org.obpf.api.Errno;
import org.obpf.api.helper.Helper;
import org.obpf.api.helper.HelperContext;
import org.obpf.api.helper.HelperException;
import org.obpf.core.map.AbstractBpfMap;
import org.obpf.core.map.MapOfMaps;
import org.obpf.core.map.PerfEventArrayMap;
import org.obpf.core.map.RingBufMap;

/**
 * Map helpers ({@code kernel/bpf/helpers.c}, {@code ringbuf.c}, {@code bpf_iter.c}): the map
 * argument is the map pointer a prelinked {@code lddw} loads, keys and values are pointers into
 * memory the run may touch, and results are the kernel's (a value pointer or NULL, 0 or -errno).
 * A pointer handed to the program (a lookup's value, a ring buffer record) is granted to the run.
 */
public final class MapHelpers {
    private MapHelpers() {}

    public static final int BPF_FUNC_map_lookup_elem = 1;
    public static final int BPF_FUNC_map_update_elem = 2;
    public static final int BPF_FUNC_map_delete_elem = 3;
    public static final int BPF_FUNC_map_push_elem = 87;
    public static final int BPF_FUNC_map_pop_elem = 88;
    public static final int BPF_FUNC_map_peek_elem = 89;
    public static final int BPF_FUNC_ringbuf_output = 130;
    public static final int BPF_FUNC_ringbuf_reserve = 131;
    public static final int BPF_FUNC_ringbuf_submit = 132;
    public static final int BPF_FUNC_ringbuf_discard = 133;
    public static final int BPF_FUNC_ringbuf_query = 134;
    public static final int BPF_FUNC_for_each_map_elem = 164;
    public static final int BPF_FUNC_perf_event_output = 25;

    /** {@code bpf_perf_event_output} flags: the slot, {@code BPF_F_CURRENT_CPU}, and the packet bytes to append. */
    public static final long BPF_F_INDEX_MASK = 0xffffffffL, BPF_F_CURRENT_CPU = BPF_F_INDEX_MASK, BPF_F_CTXLEN_MASK = 0xfffffL << 32;

    /** Map flag {@code BPF_F_RDONLY_PROG}: programs may only read values. */
    public static final int BPF_F_RDONLY_PROG = 1 << 7;

    public static List<Helper> all() {
        return List.of(
                helper(BPF_FUNC_map_lookup_elem, "map_lookup_elem", (c, r1, r2, r3, r4, r5) -> {
                    AbstractBpfMap m = map(c, r1);
                    // a map-in-map answers an inner map's pointer, held for the run rather than granted as memory
                    if (m instanceof MapOfMaps mm) return mm.lookupHeld(key(c, m, r2), c);
                    long value = m.lookupElem(key(c, m, r2));
                    if (value != 0) grant(c, m, value);
                    return value;
                }),
                helper(BPF_FUNC_map_update_elem, "map_update_elem", (c, r1, r2, r3, r4, r5) -> {
                    AbstractBpfMap m = map(c, r1);
                    return m.updateElem(key(c, m, r2), c.memory(r3, m.spec().valueSize(), false), r4);
                }),
                helper(BPF_FUNC_map_delete_elem, "map_delete_elem", (c, r1, r2, r3, r4, r5) -> {
                    AbstractBpfMap m = map(c, r1);
                    return m.deleteElem(key(c, m, r2));
                }),
                helper(BPF_FUNC_map_push_elem, "map_push_elem", (c, r1, r2, r3, r4, r5) -> {
                    AbstractBpfMap m = map(c, r1);
                    return m.pushElem(c.memory(r2, m.spec().valueSize(), false), r3);
                }),
                helper(BPF_FUNC_map_pop_elem, "map_pop_elem", (c, r1, r2, r3, r4, r5) -> {
                    AbstractBpfMap m = map(c, r1);
                    return m.popElem(c.memory(r2, m.spec().valueSize(), true));
                }),
                helper(BPF_FUNC_map_peek_elem, "map_peek_elem", (c, r1, r2, r3, r4, r5) -> {
                    AbstractBpfMap m = map(c, r1);
                    return m.peekElem(c.memory(r2, m.spec().valueSize(), true));
                }),
                helper(BPF_FUNC_ringbuf_output, "ringbuf_output", (c, r1, r2, r3, r4, r5) ->
                        ringbuf(c, r1).output(c.memory(r2, r3, false), r4)),
                helper(BPF_FUNC_ringbuf_reserve, "ringbuf_reserve", (c, r1, r2, r3, r4, r5) -> {
                    RingBufMap rb = ringbuf(c, r1);
                    long sample = rb.reserve(r2, r3);
                    if (sample != 0) c.grant(rb.grantRegion(sample), true);
                    return sample;
                }),
                helper(BPF_FUNC_ringbuf_submit, "ringbuf_submit", (c, r1, r2, r3, r4, r5) -> commit(c, r1, false)),
                helper(BPF_FUNC_ringbuf_discard, "ringbuf_discard", (c, r1, r2, r3, r4, r5) -> commit(c, r1, true)),
                helper(BPF_FUNC_ringbuf_query, "ringbuf_query", (c, r1, r2, r3, r4, r5) -> ringbuf(c, r1).query(r2)),
                helper(BPF_FUNC_for_each_map_elem, "for_each_map_elem", MapHelpers::forEachMapElem),
                helper(BPF_FUNC_perf_event_output, "perf_event_output", (c, ctx, map, flags, data, size) -> {
                    if ((flags & ~BPF_F_INDEX_MASK) != 0) return -Errno.EINVAL.value();
                    return perfEventOutput(c, map, flags, c.memory(data, size, false), null);
                }));
    }

    /**
     * {@code bpf_perf_event_output} to the perf event array at {@code map}: the sample is
     * {@code data} followed by {@code ctxBytes} (the packet bytes a packet program asked for).
     */
    static long perfEventOutput(HelperContext c, long map, long flags, MemorySegment data, MemorySegment ctxBytes) {
        AbstractBpfMap m = map(c, map);
        if (!(m instanceof PerfEventArrayMap pa)) throw new HelperException(m + " is not a perf_event_array");
        long index = flags & BPF_F_INDEX_MASK;
        if (index == BPF_F_CURRENT_CPU) index = c.processorId();
        int n = (int) data.byteSize();
        int extra = ctxBytes == null ? 0 : (int) ctxBytes.byteSize();
        byte[] sample = new byte[n + extra];
        MemorySegment.copy(data, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, sample, 0, n);
        if (extra > 0) MemorySegment.copy(ctxBytes, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, sample, n, extra);
        return pa.output((int) index, sample);
    }

    /** {@code long bpf_for_each_map_elem(map, callback_fn, callback_ctx, flags)}: callback(map, key, value, ctx); 1 stops. */
    private static long forEachMapElem(HelperContext c, long r1, long r2, long r3, long r4, long r5) {
        AbstractBpfMap m = map(c, r1);
        if (r4 != 0) return -Errno.EINVAL.value();
        return m.forEachElem((MemorySegment key, long value) -> {
            c.grant(key, false);
            grant(c, m, value);
            long ret = c.callback(r2, r1, key.address(), value, r3, 0);
            return ret != 0; // the verifier holds callbacks to 0 or 1
        });
    }

    private static long commit(HelperContext c, long sample, boolean discard) {
        AbstractBpfMap m = AbstractBpfMap.byValueAddress(sample - RingBufMap.BPF_RINGBUF_HDR_SZ);
        if (m != null) m.holdFor(c);
        if (!(m instanceof RingBufMap rb) || !rb.commit(sample, discard)) {
            throw new HelperException("0x" + Long.toHexString(sample) + " is not a reserved ring buffer record");
        }
        return 0;
    }

    /** The map at {@code pointer}, held for the rest of the run. */
    static AbstractBpfMap map(HelperContext c, long pointer) {
        AbstractBpfMap m = AbstractBpfMap.byAddress(pointer);
        if (m == null) throw new HelperException("0x" + Long.toHexString(pointer) + " is not a map");
        m.holdFor(c);
        return m;
    }

    private static RingBufMap ringbuf(HelperContext c, long pointer) {
        AbstractBpfMap m = map(c, pointer);
        if (m instanceof RingBufMap rb) return rb;
        throw new HelperException(m + " is not a ringbuf");
    }

    private static MemorySegment key(HelperContext c, AbstractBpfMap m, long key) {
        return c.memory(key, m.spec().keySize(), false);
    }

    private static void grant(HelperContext c, AbstractBpfMap m, long value) {
        MemorySegment region = m.grantRegion(value);
        if (region != null) c.grant(region, (m.spec().flags() & BPF_F_RDONLY_PROG) == 0);
    }

    /** The body of a helper: r0 from r1..r5. */
    @FunctionalInterface
    public interface Body {
        long call(HelperContext c, long r1, long r2, long r3, long r4, long r5);
    }

    /** A helper with the kernel's number and name. */
    public static Helper helper(int id, String name, Body body) {
        return new Helper() {
            @Override public int id() { return id; }
            @Override public String name() { return name; }
            @Override public long call(HelperContext c, long r1, long r2, long r3, long r4, long r5) {
                return body.call(c, r1, r2, r3, r4, r5);
            }
            @Override public String toString() { return "bpf_" + name + " (" + id + ")"; }
        };
    }
}
