package org.obpf.core.map;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import org.obpf.api.BpfException;
import org.obpf.api.Errno;
import org.obpf.api.map.MapSpec;
import org.obpf.api.map.MapType;

/**
 * {@code BPF_MAP_TYPE_HASH}, {@code PERCPU_HASH}, {@code LRU_HASH} and {@code LRU_PERCPU_HASH}
 * ({@code kernel/bpf/hashtab.c}). Each element is native memory holding the key (rounded up to 8
 * bytes) then the value (per-CPU: one {@code round_up(value_size, 8)} slot per CPU). Lookups are
 * lock-free; updates and deletes are serialised per map. An update replaces a whole element and
 * recycles the old one (per-CPU maps update in place), as preallocated kernel hash maps do.
 * A full map refuses new keys with {@code E2BIG}; an LRU map evicts its least recently used
 * element instead. Iteration order ({@code get_next_key}) is by key bytes, unsigned, so it is
 * stable while elements come and go; a key not in the map restarts at the first key.
 */
public final class HashTabMap extends AbstractBpfMap {
    private final boolean percpu;
    private final boolean lru;
    private final int cpus;
    private final int keyArea;
    private final int valueSlot;
    private final ElemPool pool;
    /** Iteration order; changed together with {@link #byKey} under the map's lock. */
    private final ConcurrentSkipListMap<byte[], Elem> index = new ConcurrentSkipListMap<>(Arrays::compareUnsigned);
    /** Lookups: hashing beats the ordered index's comparisons. */
    private final ConcurrentHashMap<Key, Elem> byKey = new ConcurrentHashMap<>();
    private final AtomicLong clock = new AtomicLong();
    private int count;

    private record Key(byte[] bytes, int hash) {
        Key(byte[] bytes) {
            this(bytes, Arrays.hashCode(bytes));
        }

        @Override public boolean equals(Object o) {
            return o instanceof Key k && k.hash == hash && Arrays.equals(k.bytes, bytes);
        }

        @Override public int hashCode() {
            return hash;
        }
    }

    private static final class Elem {
        final long address;
        volatile long lastUse;

        Elem(long address) {
            this.address = address;
        }
    }

    HashTabMap(MapSpec spec, int cpus) throws BpfException {
        super(validate(spec), 0);
        MapType t = spec.type();
        this.percpu = t == MapType.PERCPU_HASH || t == MapType.LRU_PERCPU_HASH;
        this.lru = t == MapType.LRU_HASH || t == MapType.LRU_PERCPU_HASH;
        this.cpus = percpu ? cpus : 1;
        this.keyArea = roundUp8(spec.keySize());
        this.valueSlot = roundUp8(spec.valueSize());
        this.pool = new ElemPool(this, keyArea + valueSlot * this.cpus, spec.maxEntries());
    }

    private static MapSpec validate(MapSpec spec) throws BpfException {
        // htab_map_alloc_check
        if (spec.maxEntries() == 0 || spec.keySize() == 0 || spec.valueSize() == 0) {
            throw new BpfException(Errno.EINVAL, "map " + spec.name() + ": " + spec.type().kernelName()
                    + " needs key size, value size and max_entries > 0 (got key " + spec.keySize() + ", value "
                    + spec.valueSize() + ", max_entries " + spec.maxEntries() + ")");
        }
        if (spec.keySize() > Maps.MAX_BPF_STACK) {
            throw new BpfException(Errno.E2BIG, "map " + spec.name() + ": key size " + spec.keySize()
                    + " exceeds the BPF stack size " + Maps.MAX_BPF_STACK);
        }
        boolean percpu = spec.type() == MapType.PERCPU_HASH || spec.type() == MapType.LRU_PERCPU_HASH;
        if (percpu && roundUp8(spec.valueSize()) > Maps.PCPU_MIN_UNIT_SIZE
                || (long) spec.valueSize() > Maps.KMALLOC_MAX_SIZE - Maps.MAX_BPF_STACK - 64) {
            throw new BpfException(Errno.E2BIG, "map " + spec.name() + ": value size " + spec.valueSize() + " is too large");
        }
        if ((long) spec.maxEntries() * (roundUp8(spec.keySize()) + roundUp8(spec.valueSize())) > Maps.MAX_MAP_BYTES) {
            throw new BpfException(Errno.E2BIG, "map " + spec.name() + ": " + spec.maxEntries() + " elements exceed "
                    + Maps.MAX_MAP_BYTES + " bytes");
        }
        return spec;
    }

    @Override public int possibleCpus() { return cpus; }
    @Override public int hostValueSize() { return percpu ? valueSlot * cpus : spec.valueSize(); }

    /** Number of elements now. */
    public synchronized int size() {
        return count;
    }

    @Override
    protected boolean ownsValueAddress(long address) {
        return pool.chunkOf(address) != null;
    }

    private byte[] keyBytes(MemorySegment key) {
        byte[] k = new byte[spec.keySize()];
        MemorySegment.copy(key, ValueLayout.JAVA_BYTE, 0, k, 0, k.length);
        return k;
    }

    private long valueAddress(Elem e, int cpu) {
        return e.address + keyArea + (long) cpu * valueSlot;
    }

    @Override
    public long lookupElem(MemorySegment key) {
        Elem e = byKey.get(new Key(keyBytes(key)));
        if (e == null) return 0;
        if (lru) e.lastUse = clock.incrementAndGet(); // the kernel's LRU ref bit
        return valueAddress(e, percpu ? Cpus.current(cpus) : 0);
    }

    @Override
    public long updateElem(MemorySegment key, MemorySegment value, long flags) {
        long rc = checkUpdateFlags(flags);
        if (rc != 0) return rc;
        try {
            return update(keyBytes(key), value, flags, percpu ? Cpus.current(cpus) : -1, false);
        } catch (BpfException e) {
            return -e.errno().value();
        }
    }

    /**
     * Inserts or replaces. {@code cpu} >= 0: a program's per-CPU update (that CPU's slot; a new
     * element's other slots are zero); {@code allCpus}: {@code value} holds every CPU's slot.
     */
    private synchronized long update(byte[] k, MemorySegment value, long flags, int cpu, boolean allCpus) throws BpfException {
        Elem old = index.get(k);
        if (old != null && flags == BPF_NOEXIST) return -Errno.EEXIST.value();
        if (old == null && flags == BPF_EXIST) return -Errno.ENOENT.value();
        if (percpu && old != null) {
            copyValue(old, value, cpu, allCpus);
            if (lru) old.lastUse = clock.incrementAndGet();
            return 0;
        }
        if (old == null && count >= spec.maxEntries()) {
            if (!lru) return -Errno.E2BIG.value();
            evictLeastRecentlyUsed();
        }
        Elem e = new Elem(pool.alloc());
        MemorySegment.copy(k, 0, MEM, ValueLayout.JAVA_BYTE, e.address, k.length);
        copyValue(e, value, cpu, allCpus);
        e.lastUse = clock.incrementAndGet();
        index.put(k, e);
        byKey.put(new Key(k), e);
        if (old != null) {
            pool.free(old.address);
        } else {
            count++;
        }
        return 0;
    }

    private void copyValue(Elem e, MemorySegment value, int cpu, boolean allCpus) {
        if (!percpu) {
            MemorySegment.copy(value, 0, MEM, valueAddress(e, 0), spec.valueSize());
        } else if (allCpus) {
            for (int c = 0; c < cpus; c++) MemorySegment.copy(value, (long) c * valueSlot, MEM, valueAddress(e, c), spec.valueSize());
        } else {
            MemorySegment.copy(value, 0, MEM, valueAddress(e, Math.max(cpu, 0)), spec.valueSize());
        }
    }

    private void evictLeastRecentlyUsed() {
        Map.Entry<byte[], Elem> victim = null;
        for (Map.Entry<byte[], Elem> en : index.entrySet()) {
            if (victim == null || en.getValue().lastUse < victim.getValue().lastUse) victim = en;
        }
        if (victim != null && index.remove(victim.getKey(), victim.getValue())) {
            byKey.remove(new Key(victim.getKey()));
            pool.free(victim.getValue().address);
            count--;
        }
    }

    @Override
    public long deleteElem(MemorySegment key) {
        return remove(keyBytes(key)) ? 0 : -Errno.ENOENT.value();
    }

    private synchronized boolean remove(byte[] k) {
        Elem e = index.remove(k);
        if (e == null) return false;
        byKey.remove(new Key(k));
        pool.free(e.address);
        count--;
        return true;
    }

    @Override
    public MemorySegment grantRegion(long valueAddress) {
        return pool.chunkOf(valueAddress);
    }

    @Override
    public long forEachElem(ElemVisitor visitor) {
        int cpu = percpu ? Cpus.current(cpus) : 0;
        long n = 0;
        for (Map.Entry<byte[], Elem> en : index.entrySet()) {
            Elem e = en.getValue();
            n++;
            if (visitor.visit(MEM.asSlice(e.address, spec.keySize()), valueAddress(e, cpu))) break;
        }
        return n;
    }

    // ---- host side ----

    @Override
    protected byte[] lookupHost(byte[] key) throws BpfException {
        requireLive();
        checkKey(key);
        for (;;) {
            Elem e = byKey.get(new Key(key));
            if (e == null) throw error(Errno.ENOENT, "no element with key " + Maps.hex(key));
            byte[] value = percpu ? read(valueAddress(e, 0), valueSlot * cpus) : read(valueAddress(e, 0), spec.valueSize());
            // The element may have been replaced and recycled for another key while we read it:
            // unlike a program, the host can afford to read again.
            if (byKey.get(new Key(key)) == e) return value;
        }
    }

    @Override
    protected void updateHost(byte[] key, byte[] value, long flags) throws BpfException {
        requireLive();
        checkKey(key);
        checkValue(value);
        if ((flags & BPF_F_LOCK) != 0) throw error(Errno.EINVAL, "BPF_F_LOCK needs a bpf_spin_lock in the value, which OBPF maps do not have");
        if (flags > BPF_EXIST || flags < 0) throw error(Errno.EINVAL, "invalid update flags 0x" + Long.toHexString(flags));
        try (Arena a = Arena.ofConfined()) {
            long rc = update(key.clone(), nativeCopy(a, value), flags, -1, percpu);
            if (rc == -Errno.EEXIST.value()) throw error(Errno.EEXIST, "key " + Maps.hex(key) + " exists (BPF_NOEXIST)");
            if (rc == -Errno.ENOENT.value()) throw error(Errno.ENOENT, "no element with key " + Maps.hex(key) + " (BPF_EXIST)");
            if (rc == -Errno.E2BIG.value()) throw error(Errno.E2BIG, "map is full (" + spec.maxEntries() + " elements)");
            check(rc, "update");
        }
    }

    @Override
    protected void deleteHost(byte[] key) throws BpfException {
        requireLive();
        checkKey(key);
        if (!remove(key)) throw error(Errno.ENOENT, "no element with key " + Maps.hex(key));
    }

    @Override
    protected synchronized byte[] lookupAndDeleteHost(byte[] key) throws BpfException {
        byte[] value = lookupHost(key);
        remove(key);
        return value;
    }

    @Override
    protected byte[] nextKeyHost(byte[] key) throws BpfException {
        requireLive();
        if (key != null) checkKey(key);
        byte[] next = key == null || !index.containsKey(key) ? firstKey() : index.higherKey(key);
        if (next == null) throw error(Errno.ENOENT, key == null ? "map is empty" : "no key after " + Maps.hex(key));
        return next.clone();
    }

    private byte[] firstKey() {
        var e = index.firstEntry();
        return e == null ? null : e.getKey();
    }
}
