package org.obpf.core.map;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.obpf.api.BpfException;
import org.obpf.api.Errno;
import org.obpf.api.map.BpfMap;
import org.obpf.api.map.MapSpec;

/**
 * What every map shares: its definition, id, native memory (one shared arena, freed when the last
 * reference goes, so that no address a program holds is freed under it), and the program side of
 * the map operations, which work on native addresses and answer as the kernel's
 * {@code map_ops} do: a value address or 0 for lookups, 0 or a negative error number otherwise.
 * The host side ({@link BpfMap}) turns those numbers into {@link BpfException}s.
 */
public abstract class AbstractBpfMap implements BpfMap {
    /** Bytes of the native header at {@link #address()}; array values follow it. */
    public static final int HEADER_SIZE = 64;

    static final MemorySegment MEM = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);
    private static final AtomicInteger IDS = new AtomicInteger();
    private static final Map<Long, AbstractBpfMap> BY_ADDRESS = new ConcurrentHashMap<>();
    /** Maps whose memory programs get pointers into, by the start of that memory. */
    private static final ConcurrentSkipListMap<Long, AbstractBpfMap> BY_REGION = new ConcurrentSkipListMap<>();

    protected final MapSpec spec;
    protected final int id;
    protected final Arena arena = Arena.ofShared();
    protected final MemorySegment header;
    private final AtomicInteger refs = new AtomicInteger(1);
    private volatile boolean freed;

    protected AbstractBpfMap(MapSpec spec, long extra) throws BpfException {
        this.spec = spec;
        this.id = IDS.incrementAndGet();
        this.header = allocate(HEADER_SIZE + extra);
        header.set(ValueLayout.JAVA_INT, 0, spec.type().kernelId());
        header.set(ValueLayout.JAVA_INT, 4, spec.keySize());
        header.set(ValueLayout.JAVA_INT, 8, spec.valueSize());
        header.set(ValueLayout.JAVA_INT, 12, spec.maxEntries());
        header.set(ValueLayout.JAVA_INT, 16, spec.flags());
        header.set(ValueLayout.JAVA_INT, 20, id);
        BY_ADDRESS.put(header.address(), this);
    }

    /** Zeroed native memory from this map's arena, 8-byte aligned. */
    protected MemorySegment allocate(long bytes) throws BpfException {
        try {
            return arena.allocate(Math.max(bytes, 8), 8);
        } catch (OutOfMemoryError | IllegalArgumentException e) {
            throw new BpfException(Errno.ENOMEM, "map " + spec.name() + ": cannot allocate " + bytes + " bytes: " + e.getMessage(), e);
        }
    }

    /** Makes {@code region} a place programs get pointers into (see {@link #byValueAddress}). */
    protected void registerRegion(MemorySegment region) {
        BY_REGION.put(region.address(), this);
    }

    /** The live map whose header is at {@code address} (a map pointer), or null. */
    public static AbstractBpfMap byAddress(long address) {
        return BY_ADDRESS.get(address);
    }

    /** The live map with memory at {@code address} that programs got from it, or null. */
    public static AbstractBpfMap byValueAddress(long address) {
        var e = BY_REGION.floorEntry(address);
        if (e == null) return null;
        return e.getValue().ownsValueAddress(address) ? e.getValue() : null;
    }

    /** Whether {@code address} lies in memory this map handed to programs. */
    protected boolean ownsValueAddress(long address) {
        return false;
    }

    @Override public MapSpec spec() { return spec; }
    @Override public int id() { return id; }
    @Override public long address() { return header.address(); }
    @Override public int possibleCpus() { return 1; }
    @Override public int hostValueSize() { return spec.valueSize(); }

    /** Takes a reference (a program that uses the map, an fd). */
    public AbstractBpfMap retain() {
        int r;
        do {
            r = refs.get();
            if (r <= 0) throw new IllegalStateException("map " + spec.name() + " is already freed");
        } while (!refs.compareAndSet(r, r + 1));
        return this;
    }

    /** Drops a reference; the last one frees the map's memory. */
    public void release() {
        if (refs.decrementAndGet() == 0) {
            freed = true;
            BY_ADDRESS.remove(header.address(), this);
            BY_REGION.values().removeIf(m -> m == this);
            onFree();
            arena.close();
        }
    }

    public boolean isFreed() {
        return freed;
    }

    /** Called before the arena closes. */
    protected void onFree() {}

    // ---- program side: the kernel's map_ops, over native memory ----

    /** {@code map_lookup_elem}: the address of the value (this CPU's, for per-CPU maps) or 0. */
    public abstract long lookupElem(MemorySegment key);

    /** {@code map_update_elem} from a program: 0 or -errno. */
    public abstract long updateElem(MemorySegment key, MemorySegment value, long flags);

    /** {@code map_delete_elem}: 0 or -errno. */
    public abstract long deleteElem(MemorySegment key);

    /** {@code map_push_elem}: 0 or -errno. */
    public long pushElem(MemorySegment value, long flags) {
        return -Errno.EINVAL.value();
    }

    /** {@code map_pop_elem} into {@code value}: 0 or -errno. */
    public long popElem(MemorySegment value) {
        return -Errno.EINVAL.value();
    }

    /** {@code map_peek_elem} into {@code value}: 0 or -errno. */
    public long peekElem(MemorySegment value) {
        return -Errno.EINVAL.value();
    }

    /**
     * The memory a program may touch after getting {@code valueAddress} from this map: the
     * smallest stable block around it that this map owns (a program may be granted it as a whole).
     */
    public abstract MemorySegment grantRegion(long valueAddress);

    /** Keys in {@code [0, n)} visited by {@code bpf_for_each_map_elem}: key and value addresses. */
    public interface ElemVisitor {
        /** @return true to stop */
        boolean visit(MemorySegment key, long valueAddress);
    }

    /**
     * {@code map_for_each_callback}: visits elements in iteration order until the visitor stops.
     *
     * @return the number of elements visited, or -errno if the map type cannot be iterated
     */
    public long forEachElem(ElemVisitor visitor) {
        return -Errno.EINVAL.value();
    }

    // ---- host side ----

    protected BpfException error(Errno errno, String what) {
        return new BpfException(errno, "map " + spec.name() + ": " + what);
    }

    /** Throws for a negative result of a program-side operation. */
    protected long check(long rc, String what) throws BpfException {
        if (rc >= 0) return rc;
        for (Errno e : Errno.values()) {
            if (e.value() == -rc) throw error(e, what + " failed: " + e);
        }
        throw error(Errno.EINVAL, what + " failed: error " + rc);
    }

    /** The key as the u32 index array-like maps use, after checking its size. */
    protected int indexKey(byte[] key) throws BpfException {
        checkKey(key);
        return u32(key);
    }

    /** A little-endian u32 from the first four bytes. */
    protected static int u32(byte[] b) {
        return b[0] & 0xff | (b[1] & 0xff) << 8 | (b[2] & 0xff) << 16 | (b[3] & 0xff) << 24;
    }

    /**
     * {@code array_map_get_next_key} for maps indexed by a u32: no key or an out-of-range key
     * restarts at 0; ENOENT after the last index.
     */
    protected byte[] nextIndexKey(byte[] key) throws BpfException {
        int next = 0;
        if (key != null) {
            int i = indexKey(key);
            next = Integer.compareUnsigned(i, spec.maxEntries()) >= 0 ? 0 : i + 1;
        }
        if (next >= spec.maxEntries()) throw error(Errno.ENOENT, "no key after the last index");
        return new byte[] {(byte) next, (byte) (next >> 8), (byte) (next >> 16), (byte) (next >> 24)};
    }

    protected void checkKey(byte[] key) throws BpfException {
        int expected = spec.keySize();
        if (expected == 0) {
            if (key != null && key.length != 0) throw error(Errno.EINVAL, "key size " + key.length + ", expected 0 (no key)");
            return;
        }
        if (key == null) throw error(Errno.EINVAL, "key size 0, expected " + expected);
        if (key.length != expected) throw error(Errno.EINVAL, "key size " + key.length + ", expected " + expected);
    }

    protected void checkValue(byte[] value) throws BpfException {
        int expected = hostValueSize();
        int got = value == null ? 0 : value.length;
        if (got != expected) throw error(Errno.EINVAL, "value size " + got + ", expected " + expected);
    }

    /** Refuses {@code BPF_F_LOCK} and flags other than ANY/NOEXIST/EXIST, as the kernel does. */
    protected static long checkUpdateFlags(long flags) {
        if ((flags & BPF_F_LOCK) != 0) return -Errno.EINVAL.value(); // no bpf_spin_lock in OBPF values
        if (flags > BPF_EXIST || flags < 0) return -Errno.EINVAL.value();
        return 0;
    }

    protected void requireLive() throws BpfException {
        if (freed) throw error(Errno.EBADF, "map is freed");
    }

    /** Runs {@code op} with {@code bytes} copied into native memory (null gives a null segment). */
    protected static MemorySegment nativeCopy(Arena a, byte[] bytes) {
        if (bytes == null) return MemorySegment.NULL;
        MemorySegment s = a.allocate(Math.max(bytes.length, 1), 8);
        MemorySegment.copy(bytes, 0, s, ValueLayout.JAVA_BYTE, 0, bytes.length);
        return s;
    }

    protected static byte[] read(long address, int length) {
        byte[] out = new byte[length];
        MemorySegment.copy(MEM, ValueLayout.JAVA_BYTE, address, out, 0, length);
        return out;
    }

    static int roundUp8(int n) {
        return (n + 7) & ~7;
    }

    // Host operations hold a reference while they run, so that closing the last fd on another
    // thread cannot free memory under them.

    /** A reference for one host operation: EBADF once the map is freed. */
    private void enter() throws BpfException {
        try {
            retain();
        } catch (IllegalStateException e) {
            throw error(Errno.EBADF, "map is freed");
        }
    }

    @Override
    public final byte[] lookup(byte[] key) throws BpfException {
        enter();
        try {
            return lookupHost(key);
        } finally {
            release();
        }
    }

    @Override
    public final void update(byte[] key, byte[] value, long flags) throws BpfException {
        enter();
        try {
            updateHost(key, value, flags);
        } finally {
            release();
        }
    }

    @Override
    public final void delete(byte[] key) throws BpfException {
        enter();
        try {
            deleteHost(key);
        } finally {
            release();
        }
    }

    @Override
    public final byte[] lookupAndDelete(byte[] key) throws BpfException {
        enter();
        try {
            return lookupAndDeleteHost(key);
        } finally {
            release();
        }
    }

    @Override
    public final byte[] nextKey(byte[] key) throws BpfException {
        enter();
        try {
            return nextKeyHost(key);
        } finally {
            release();
        }
    }

    protected abstract byte[] lookupHost(byte[] key) throws BpfException;

    protected abstract void updateHost(byte[] key, byte[] value, long flags) throws BpfException;

    protected abstract void deleteHost(byte[] key) throws BpfException;

    protected abstract byte[] nextKeyHost(byte[] key) throws BpfException;

    protected byte[] lookupAndDeleteHost(byte[] key) throws BpfException {
        throw error(Errno.EOPNOTSUPP, "lookup and delete is not supported by " + spec.type().kernelName() + " maps");
    }

    /** Closing it drops one reference: what a run holds on a map it got a pointer into. */
    private final AutoCloseable runReference = this::release;

    /**
     * Takes a reference for the program run behind {@code context} and hands it to the run (which
     * drops it when it ends), once per run: after this, memory of this map that the run got stays
     * allocated until the run ends.
     *
     * @throws org.obpf.api.helper.HelperException if the map is already freed
     */
    public void holdFor(org.obpf.api.helper.HelperContext context) {
        try {
            retain();
        } catch (IllegalStateException e) {
            throw new org.obpf.api.helper.HelperException("map " + spec.name() + " is freed");
        }
        if (!context.hold(runReference)) release();
    }

    @Override
    public String toString() {
        return spec.type().kernelName() + " map " + spec.name() + " (id " + id + ", key " + spec.keySize() + ", value "
                + spec.valueSize() + ", max_entries " + spec.maxEntries() + ")";
    }
}
