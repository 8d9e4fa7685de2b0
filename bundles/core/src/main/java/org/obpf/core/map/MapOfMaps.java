package org.obpf.core.map;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.IntFunction;
import org.obpf.api.BpfException;
import org.obpf.api.Errno;
import org.obpf.api.helper.HelperContext;
import org.obpf.api.map.MapSpec;
import org.obpf.api.map.MapType;

/**
 * {@code BPF_MAP_TYPE_ARRAY_OF_MAPS} and {@code HASH_OF_MAPS} ({@code kernel/bpf/map_in_map.c},
 * {@code arraymap.c}, {@code hashtab.c}): values are maps. The inner map given at creation
 * ({@code inner_map_fd}) is only a template ({@code bpf_map_meta_alloc}): every map put in a slot
 * must match its type, key and value sizes and flags, and its max_entries unless the template has
 * {@code BPF_F_INNER_MAP} ({@code bpf_map_meta_equal}, {@code array_map_meta_equal}).
 *
 * <p>The host sets a slot with a map fd as the value (resolved through {@link #maps}) and reads back
 * the inner map's id ({@code map_fd_sys_lookup_elem}); a program's {@code map_lookup_elem} answers
 * the inner map's pointer, usable as the map argument of helpers. A slot holds a reference on its
 * map, so an inner map stays alive while some outer map refers to it. Programs can only look up
 * ({@code check_map_func_compatibility}); their updates and deletes fail with EINVAL.
 * Slots are ordered by key bytes (unsigned), which is also the hash variant's iteration order.
 */
public final class MapOfMaps extends AbstractBpfMap {
    /** {@code BPF_F_INNER_MAP}: inner maps of any max_entries fit the template. */
    public static final int BPF_F_INNER_MAP = 1 << 12;

    private final boolean array;
    private final MapSpec template;
    /** Slots by key bytes; changed under the map's lock, read lock-free. */
    private final ConcurrentSkipListMap<byte[], AbstractBpfMap> slots = new ConcurrentSkipListMap<>(Arrays::compareUnsigned);
    private volatile IntFunction<AbstractBpfMap> maps = fd -> null;

    MapOfMaps(MapSpec spec, AbstractBpfMap inner) throws BpfException {
        super(validate(spec, inner), 0);
        this.array = spec.type() == MapType.ARRAY_OF_MAPS;
        this.template = inner.spec();
    }

    private static MapSpec validate(MapSpec spec, AbstractBpfMap inner) throws BpfException {
        String name = "map " + spec.name() + ": " + spec.type().kernelName();
        if (inner == null) throw new BpfException(Errno.EINVAL, name + " needs an inner map template (inner_map_fd)");
        // bpf_map_meta_alloc: no nesting, no maps without map_meta_equal
        MapType t = inner.spec().type();
        if (inner instanceof MapOfMaps || t == MapType.PROG_ARRAY || t == MapType.PERF_EVENT_ARRAY || t == MapType.DEVMAP) {
            throw new BpfException(Errno.EINVAL, name + ": a " + t.kernelName() + " map cannot be an inner map");
        }
        // fd_array_map_alloc_check / fd_htab_map_alloc_check, then the array's or hash's own checks
        if (spec.valueSize() != 4 || spec.maxEntries() == 0 || spec.keySize() == 0
                || spec.type() == MapType.ARRAY_OF_MAPS && spec.keySize() != 4) {
            throw new BpfException(Errno.EINVAL, name + " needs value size 4 (an fd), max_entries > 0 and key size "
                    + (spec.type() == MapType.ARRAY_OF_MAPS ? "4" : "> 0") + " (got key " + spec.keySize() + ", value "
                    + spec.valueSize() + ", max_entries " + spec.maxEntries() + ")");
        }
        if (spec.keySize() > Maps.MAX_BPF_STACK) throw new BpfException(Errno.E2BIG, name + ": key size " + spec.keySize() + " is over " + Maps.MAX_BPF_STACK);
        return spec;
    }

    /** How host updates turn the fd in a value into a map. */
    public MapOfMaps maps(IntFunction<AbstractBpfMap> byFd) {
        this.maps = byFd;
        return this;
    }

    /** The inner map template ({@code map->inner_map_meta}). */
    public MapSpec template() {
        return template;
    }

    /** The map in the slot of {@code key}, or null. */
    public AbstractBpfMap get(byte[] key) {
        return slots.get(key);
    }

    /**
     * Puts {@code inner} in the slot of {@code key} (taking a reference on it), after the template
     * check; the map it replaces loses the slot's reference.
     */
    public synchronized void set(byte[] key, AbstractBpfMap inner, long flags) throws BpfException {
        requireLive();
        checkKey(key);
        if (array) {
            if (Integer.compareUnsigned(u32(key), spec.maxEntries()) >= 0) {
                throw error(Errno.E2BIG, "index " + Integer.toUnsignedString(u32(key)) + " is outside 0.." + (spec.maxEntries() - 1));
            }
            // bpf_fd_array_map_update_elem
            if (flags != BPF_ANY) throw error(Errno.EINVAL, "array_of_maps updates take BPF_ANY only");
        } else {
            if (checkUpdateFlags(flags) != 0) throw error(Errno.EINVAL, "invalid update flags " + flags);
            boolean present = slots.containsKey(key);
            if (flags == BPF_NOEXIST && present) throw error(Errno.EEXIST, "key " + Maps.hex(key) + " exists");
            if (flags == BPF_EXIST && !present) throw error(Errno.ENOENT, "key " + Maps.hex(key) + " does not exist");
            if (!present && slots.size() >= spec.maxEntries()) throw error(Errno.E2BIG, "map is full (" + spec.maxEntries() + " entries)");
        }
        checkCompatible(inner);
        try {
            inner.retain();
        } catch (IllegalStateException e) {
            throw error(Errno.EBADF, "inner map " + inner.spec().name() + " is freed");
        }
        AbstractBpfMap old = slots.put(key.clone(), inner);
        if (old != null) old.release();
    }

    /** bpf_map_meta_equal (+ array_map_meta_equal's max_entries rule). */
    private void checkCompatible(AbstractBpfMap inner) throws BpfException {
        MapSpec s = inner.spec();
        String why = null;
        if (inner instanceof MapOfMaps) why = "it is a map-in-map itself";
        else if (s.type() != template.type()) why = "type " + s.type().kernelName() + " != " + template.type().kernelName();
        else if (s.keySize() != template.keySize()) why = "key size " + s.keySize() + " != " + template.keySize();
        else if (s.valueSize() != template.valueSize()) why = "value size " + s.valueSize() + " != " + template.valueSize();
        else if (s.flags() != template.flags()) why = "map flags 0x" + Integer.toHexString(s.flags()) + " != 0x" + Integer.toHexString(template.flags());
        else if ((template.flags() & BPF_F_INNER_MAP) == 0 && isArrayType(s.type()) && s.maxEntries() != template.maxEntries()) {
            why = "max_entries " + s.maxEntries() + " != " + template.maxEntries() + " (and no BPF_F_INNER_MAP)";
        }
        if (why != null) throw error(Errno.EINVAL, "map " + s.name() + " does not fit the inner map template: " + why);
    }

    private static boolean isArrayType(MapType t) {
        return t == MapType.ARRAY || t == MapType.PERCPU_ARRAY;
    }

    // ---- program side ----

    /** {@code array_of_map_lookup_elem} / {@code htab_of_map_lookup_elem}: the inner map's pointer or 0. */
    @Override
    public long lookupElem(MemorySegment key) {
        AbstractBpfMap m = slots.get(key.toArray(ValueLayout.JAVA_BYTE));
        return m == null ? 0 : m.address();
    }

    /**
     * A lookup that also holds the inner map for the run behind {@code context}, so that a host
     * update replacing the slot cannot free the map while the program still uses it (the kernel's
     * RCU read section). Answers the inner map's pointer or 0.
     */
    public long lookupHeld(MemorySegment key, HelperContext context) {
        byte[] k = key.toArray(ValueLayout.JAVA_BYTE);
        while (true) {
            AbstractBpfMap m = slots.get(k);
            if (m == null) return 0;
            try {
                m.retain();
            } catch (IllegalStateException freedMeanwhile) {
                continue; // its slot was replaced and its last reference dropped: read the slot again
            }
            try {
                m.holdFor(context);
            } finally {
                m.release();
            }
            return m.address();
        }
    }

    @Override public long updateElem(MemorySegment key, MemorySegment value, long flags) { return -Errno.EINVAL.value(); }
    @Override public long deleteElem(MemorySegment key) { return -Errno.EINVAL.value(); }
    @Override public MemorySegment grantRegion(long valueAddress) { return null; }

    // ---- host side ----

    /** The inner map's id, as {@code map_fd_sys_lookup_elem} answers. */
    @Override
    protected byte[] lookupHost(byte[] key) throws BpfException {
        checkKey(key);
        AbstractBpfMap m = slots.get(key);
        if (m == null) throw error(Errno.ENOENT, "no map at key " + Maps.hex(key));
        int id = m.id();
        return new byte[] {(byte) id, (byte) (id >> 8), (byte) (id >> 16), (byte) (id >> 24)};
    }

    @Override
    protected void updateHost(byte[] key, byte[] value, long flags) throws BpfException {
        checkValue(value);
        int fd = u32(value);
        AbstractBpfMap inner = maps.apply(fd);
        if (inner == null) throw error(Errno.EBADF, "fd " + fd + " is not a map");
        set(key, inner, flags);
    }

    @Override
    protected synchronized void deleteHost(byte[] key) throws BpfException {
        requireLive();
        checkKey(key);
        if (array && Integer.compareUnsigned(u32(key), spec.maxEntries()) >= 0) {
            throw error(Errno.E2BIG, "index " + Integer.toUnsignedString(u32(key)) + " is outside 0.." + (spec.maxEntries() - 1));
        }
        AbstractBpfMap old = slots.remove(key);
        if (old == null) throw error(Errno.ENOENT, "no map at key " + Maps.hex(key));
        old.release();
    }

    @Override
    protected byte[] nextKeyHost(byte[] key) throws BpfException {
        if (array) return nextIndexKey(key);
        if (key != null) checkKey(key);
        byte[] next = key == null || !slots.containsKey(key) ? (slots.isEmpty() ? null : slots.firstKey()) : slots.higherKey(key);
        if (next == null) throw error(Errno.ENOENT, "no key after " + (key == null ? "the start" : Maps.hex(key)));
        return next.clone();
    }

    /** The slots' references go with the map (the kernel's map_free drops each inner map). */
    @Override
    protected synchronized void onFree() {
        slots.values().forEach(AbstractBpfMap::release);
        slots.clear();
    }
}
