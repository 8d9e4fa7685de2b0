package org.obpf.core.map;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.obpf.api.BpfException;
import org.obpf.api.Errno;
import org.obpf.api.map.MapSpec;
import org.obpf.api.map.MapType;

/**
 * {@code BPF_MAP_TYPE_ARRAY} and {@code BPF_MAP_TYPE_PERCPU_ARRAY} ({@code kernel/bpf/arraymap.c}):
 * {@code max_entries} preallocated, zeroed values of {@code round_up(value_size, 8)} bytes right
 * after the map header, so that a value's address is {@code map + HEADER_SIZE + index * elem_size}
 * (what the inlined lookup computes). Elements always exist: they cannot be deleted, and
 * {@code BPF_NOEXIST} fails with {@code EEXIST}. Per-CPU values sit side by side per index.
 */
public final class ArrayMap extends AbstractBpfMap {
    /** The kernel's {@code offsetof(struct bpf_array, value)} for OBPF's array header. */
    public static final int VALUE_OFFSET = HEADER_SIZE;

    private final boolean percpu;
    private final int cpus;
    private final int elemSize;
    private final MemorySegment values;

    ArrayMap(MapSpec spec, int cpus) throws BpfException {
        super(validate(spec), (long) spec.maxEntries() * roundUp8(spec.valueSize()) * (spec.type() == MapType.PERCPU_ARRAY ? cpus : 1));
        this.percpu = spec.type() == MapType.PERCPU_ARRAY;
        this.cpus = percpu ? cpus : 1;
        this.elemSize = roundUp8(spec.valueSize());
        this.values = header.asSlice(VALUE_OFFSET);
        header.set(ValueLayout.JAVA_INT, 24, elemSize);
        registerRegion(values);
    }

    private static MapSpec validate(MapSpec spec) throws BpfException {
        // array_map_alloc_check
        if (spec.maxEntries() == 0 || spec.keySize() != 4 || spec.valueSize() == 0) {
            throw new BpfException(Errno.EINVAL, "map " + spec.name() + ": " + spec.type().kernelName()
                    + " needs key size 4, value size > 0 and max_entries > 0 (got key " + spec.keySize() + ", value "
                    + spec.valueSize() + ", max_entries " + spec.maxEntries() + ")");
        }
        if (spec.type() == MapType.PERCPU_ARRAY && roundUp8(spec.valueSize()) > Maps.PCPU_MIN_UNIT_SIZE) {
            throw new BpfException(Errno.E2BIG, "map " + spec.name() + ": per-CPU value size " + spec.valueSize()
                    + " exceeds " + Maps.PCPU_MIN_UNIT_SIZE);
        }
        if ((long) spec.maxEntries() * roundUp8(spec.valueSize()) > Maps.MAX_MAP_BYTES) {
            throw new BpfException(Errno.E2BIG, "map " + spec.name() + ": " + spec.maxEntries() + " values of "
                    + spec.valueSize() + " bytes exceed " + Maps.MAX_MAP_BYTES + " bytes");
        }
        return spec;
    }

    public int elemSize() { return elemSize; }
    public boolean percpu() { return percpu; }
    /** The value area programs index into. */
    public MemorySegment values() { return values; }

    @Override public int possibleCpus() { return cpus; }
    @Override public int hostValueSize() { return percpu ? elemSize * cpus : spec.valueSize(); }

    @Override
    protected boolean ownsValueAddress(long address) {
        long d = address - values.address();
        return d >= 0 && d < values.byteSize();
    }

    private long slot(int index, int cpu) {
        return values.address() + ((long) index * cpus + cpu) * elemSize;
    }

    @Override
    public long lookupElem(MemorySegment key) {
        int index = key.get(ValueLayout.JAVA_INT_UNALIGNED, 0);
        if (Integer.compareUnsigned(index, spec.maxEntries()) >= 0) return 0;
        return slot(index, percpu ? Cpus.current(cpus) : 0);
    }

    @Override
    public long updateElem(MemorySegment key, MemorySegment value, long flags) {
        long rc = checkUpdateFlags(flags);
        if (rc != 0) return rc;
        int index = key.get(ValueLayout.JAVA_INT_UNALIGNED, 0);
        if (Integer.compareUnsigned(index, spec.maxEntries()) >= 0) return -Errno.E2BIG.value();
        if (flags == BPF_NOEXIST) return -Errno.EEXIST.value(); // all elements already exist
        MemorySegment.copy(value, 0, MEM, slot(index, percpu ? Cpus.current(cpus) : 0), spec.valueSize());
        return 0;
    }

    @Override
    public long deleteElem(MemorySegment key) {
        return -Errno.EINVAL.value();
    }

    @Override
    public MemorySegment grantRegion(long valueAddress) {
        return values;
    }

    // Keys handed to for_each callbacks: per thread, alive as long as the thread, since a
    // program may keep reading the key it was given until its run ends.
    private static final ThreadLocal<MemorySegment> KEYS = ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(8, 8));

    @Override
    public long forEachElem(ElemVisitor visitor) {
        MemorySegment key = KEYS.get().asSlice(0, 4);
        int cpu = percpu ? Cpus.current(cpus) : 0;
        long n = 0;
        for (int i = 0; i < spec.maxEntries(); i++) {
            key.set(ValueLayout.JAVA_INT, 0, i);
            n++;
            if (visitor.visit(key, slot(i, cpu))) break;
        }
        return n;
    }

    // ---- host side ----

    @Override
    protected byte[] lookupHost(byte[] key) throws BpfException {
        requireLive();
        int index = indexKey(key);
        if (Integer.compareUnsigned(index, spec.maxEntries()) >= 0) {
            throw error(Errno.ENOENT, "index " + Integer.toUnsignedString(index) + " is outside 0.." + (spec.maxEntries() - 1));
        }
        if (!percpu) return read(slot(index, 0), spec.valueSize());
        // bpf_percpu_array_copy: each CPU's value, round_up(value_size, 8) bytes apart
        return read(slot(index, 0), elemSize * cpus);
    }

    @Override
    protected void updateHost(byte[] key, byte[] value, long flags) throws BpfException {
        requireLive();
        int index = indexKey(key);
        checkValue(value);
        if ((flags & BPF_F_LOCK) != 0) throw error(Errno.EINVAL, "BPF_F_LOCK needs a bpf_spin_lock in the value, which OBPF maps do not have");
        if (flags > BPF_EXIST || flags < 0) throw error(Errno.EINVAL, "invalid update flags 0x" + Long.toHexString(flags));
        if (Integer.compareUnsigned(index, spec.maxEntries()) >= 0) {
            throw error(Errno.E2BIG, "index " + Integer.toUnsignedString(index) + " is outside 0.." + (spec.maxEntries() - 1));
        }
        if (flags == BPF_NOEXIST) throw error(Errno.EEXIST, "index " + index + ": array elements always exist (BPF_NOEXIST)");
        if (!percpu) {
            MemorySegment.copy(value, 0, MEM, ValueLayout.JAVA_BYTE, slot(index, 0), spec.valueSize());
        } else {
            for (int cpu = 0; cpu < cpus; cpu++) {
                MemorySegment.copy(value, cpu * elemSize, MEM, ValueLayout.JAVA_BYTE, slot(index, cpu), spec.valueSize());
            }
        }
    }

    @Override
    protected void deleteHost(byte[] key) throws BpfException {
        requireLive();
        indexKey(key);
        throw error(Errno.EINVAL, "array elements cannot be deleted");
    }

    @Override
    protected byte[] nextKeyHost(byte[] key) throws BpfException {
        requireLive();
        return nextIndexKey(key);
    }
}
