package org.obpf.core.map;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ConcurrentSkipListSet;
import org.obpf.api.BpfException;
import org.obpf.api.Errno;
import org.obpf.api.map.MapSpec;

/**
 * {@code BPF_MAP_TYPE_LPM_TRIE} ({@code kernel/bpf/lpm_trie.c}): keys are
 * {@code struct bpf_lpm_trie_key { __u32 prefixlen; __u8 data[]; }}, data in network order, and
 * a lookup finds the entry with the longest prefix that matches the key's first
 * {@code prefixlen} bits. Entries are indexed by (prefix length, masked prefix); a lookup probes
 * the prefix lengths present, longest first. Iteration ({@code get_next_key}) follows the
 * kernel's post-order walk: more specific prefixes before the prefixes that contain them, and
 * 0-branches before 1-branches. The kernel requires {@code BPF_F_NO_PREALLOC} and refuses a new
 * entry in a full trie with {@code ENOSPC}.
 */
public final class LpmTrieMap extends AbstractBpfMap {
    public static final int BPF_F_NO_PREALLOC = 1;
    static final int LPM_DATA_SIZE_MAX = 256;
    static final int LPM_KEY_SIZE_MIN = 4 + 1;
    static final int LPM_KEY_SIZE_MAX = 4 + LPM_DATA_SIZE_MAX;

    private final int dataSize;
    private final int maxPrefixlen;
    private final ElemPool pool;
    /** Masked key (prefixlen + masked data) -> element. */
    private final ConcurrentHashMap<Prefix, Elem> index = new ConcurrentHashMap<>();
    private final ConcurrentSkipListSet<Integer> lengths = new ConcurrentSkipListSet<>(Collections.reverseOrder());
    private final ConcurrentSkipListMap<Prefix, Elem> order = new ConcurrentSkipListMap<>(POST_ORDER);

    private record Prefix(int prefixlen, byte[] bits) {
        @Override public boolean equals(Object o) {
            return o instanceof Prefix p && p.prefixlen == prefixlen && Arrays.equals(p.bits, bits);
        }
        @Override public int hashCode() {
            return prefixlen * 31 + Arrays.hashCode(bits);
        }
    }

    private record Elem(long address, byte[] key) {}

    /** Children before their parent; at the first differing bit, 0 before 1. */
    private static final Comparator<Prefix> POST_ORDER = (a, b) -> {
        int common = Math.min(a.prefixlen, b.prefixlen);
        for (int i = 0; i < common; i++) {
            int x = bit(a.bits, i);
            int y = bit(b.bits, i);
            if (x != y) return x - y;
        }
        return Integer.compare(b.prefixlen, a.prefixlen);
    };

    LpmTrieMap(MapSpec spec) throws BpfException {
        super(validate(spec), 0);
        this.dataSize = spec.keySize() - 4;
        this.maxPrefixlen = dataSize * 8;
        this.pool = new ElemPool(this, roundUp8(spec.keySize()) + roundUp8(spec.valueSize()), spec.maxEntries());
    }

    private static MapSpec validate(MapSpec spec) throws BpfException {
        // trie_alloc
        if (spec.maxEntries() == 0 || (spec.flags() & BPF_F_NO_PREALLOC) == 0
                || spec.keySize() < LPM_KEY_SIZE_MIN || spec.keySize() > LPM_KEY_SIZE_MAX
                || spec.valueSize() < 1 || spec.valueSize() > Maps.KMALLOC_MAX_SIZE) {
            throw new BpfException(Errno.EINVAL, "map " + spec.name() + ": lpm_trie needs BPF_F_NO_PREALLOC, key size "
                    + LPM_KEY_SIZE_MIN + ".." + LPM_KEY_SIZE_MAX + ", value size > 0 and max_entries > 0 (got key "
                    + spec.keySize() + ", value " + spec.valueSize() + ", max_entries " + spec.maxEntries() + ", flags 0x"
                    + Integer.toHexString(spec.flags()) + ")");
        }
        return spec;
    }

    private static int bit(byte[] data, int i) {
        return (data[i >> 3] >> (7 - (i & 7))) & 1;
    }

    private static byte[] mask(byte[] data, int prefixlen) {
        byte[] out = new byte[(prefixlen + 7) >> 3];
        System.arraycopy(data, 0, out, 0, out.length);
        if ((prefixlen & 7) != 0) out[out.length - 1] &= (byte) (0xff << (8 - (prefixlen & 7)));
        return out;
    }

    private byte[] keyBytes(MemorySegment key) {
        byte[] k = new byte[spec.keySize()];
        MemorySegment.copy(key, ValueLayout.JAVA_BYTE, 0, k, 0, k.length);
        return k;
    }

    private static int prefixlen(byte[] key) {
        return u32(key);
    }

    private static byte[] data(byte[] key) {
        return Arrays.copyOfRange(key, 4, key.length);
    }

    private long valueAddress(Elem e) {
        return e.address + roundUp8(spec.keySize());
    }

    /** Longest prefix of at most the key's prefixlen bits that is in the trie. */
    private Elem match(byte[] key) {
        int plen = prefixlen(key);
        if (Integer.compareUnsigned(plen, maxPrefixlen) > 0) plen = maxPrefixlen;
        byte[] data = data(key);
        for (int len : lengths) {
            if (len > plen) continue;
            Elem e = index.get(new Prefix(len, mask(data, len)));
            if (e != null) return e;
        }
        return null;
    }

    @Override
    public long lookupElem(MemorySegment key) {
        Elem e = match(keyBytes(key));
        return e == null ? 0 : valueAddress(e);
    }

    @Override
    public long updateElem(MemorySegment key, MemorySegment value, long flags) {
        long rc = checkUpdateFlags(flags);
        return rc != 0 ? rc : update(keyBytes(key), value, flags);
    }

    private synchronized long update(byte[] key, MemorySegment value, long flags) {
        int plen = prefixlen(key);
        if (Integer.compareUnsigned(plen, maxPrefixlen) > 0) return -Errno.EINVAL.value();
        Prefix p = new Prefix(plen, mask(data(key), plen));
        Elem old = index.get(p);
        if (old != null && flags == BPF_NOEXIST) return -Errno.EEXIST.value();
        if (old == null && flags == BPF_EXIST) return -Errno.ENOENT.value();
        if (old == null && index.size() >= spec.maxEntries()) return -Errno.ENOSPC.value();
        long address;
        try {
            address = pool.alloc();
        } catch (BpfException e) {
            return -Errno.ENOMEM.value();
        }
        Elem e = new Elem(address, key.clone());
        MemorySegment.copy(key, 0, MEM, ValueLayout.JAVA_BYTE, address, key.length);
        MemorySegment.copy(value, 0, MEM, valueAddress(e), spec.valueSize());
        index.put(p, e);
        order.put(p, e);
        lengths.add(plen);
        if (old != null) pool.free(old.address);
        return 0;
    }

    @Override
    public long deleteElem(MemorySegment key) {
        return remove(keyBytes(key));
    }

    /** trie_delete_elem: the exact prefix only. */
    private synchronized long remove(byte[] key) {
        int plen = prefixlen(key);
        if (Integer.compareUnsigned(plen, maxPrefixlen) > 0) return -Errno.EINVAL.value();
        Prefix p = new Prefix(plen, mask(data(key), plen));
        Elem e = index.remove(p);
        if (e == null) return -Errno.ENOENT.value();
        order.remove(p);
        if (index.keySet().stream().noneMatch(q -> q.prefixlen == plen)) lengths.remove(plen);
        pool.free(e.address);
        return 0;
    }

    @Override
    public MemorySegment grantRegion(long valueAddress) {
        return pool.chunkOf(valueAddress);
    }

    @Override
    protected boolean ownsValueAddress(long address) {
        return pool.chunkOf(address) != null;
    }

    @Override
    public long forEachElem(ElemVisitor visitor) {
        return -Errno.ENOTSUPP.value(); // the kernel has no map_for_each_callback for tries either
    }

    // ---- host side ----

    @Override
    protected byte[] lookupHost(byte[] key) throws BpfException {
        requireLive();
        checkKey(key);
        Elem e = match(key);
        if (e == null) throw error(Errno.ENOENT, "no prefix matches " + Maps.hex(key));
        return read(valueAddress(e), spec.valueSize());
    }

    @Override
    protected void updateHost(byte[] key, byte[] value, long flags) throws BpfException {
        requireLive();
        checkKey(key);
        checkValue(value);
        if ((flags & BPF_F_LOCK) != 0) throw error(Errno.EINVAL, "BPF_F_LOCK needs a bpf_spin_lock in the value, which OBPF maps do not have");
        if (flags > BPF_EXIST || flags < 0) throw error(Errno.EINVAL, "invalid update flags 0x" + Long.toHexString(flags));
        if (Integer.compareUnsigned(prefixlen(key), maxPrefixlen) > 0) {
            throw error(Errno.EINVAL, "prefixlen " + Integer.toUnsignedString(prefixlen(key)) + " exceeds " + maxPrefixlen);
        }
        try (Arena a = Arena.ofConfined()) {
            long rc = update(key, nativeCopy(a, value), flags);
            if (rc == -Errno.ENOSPC.value()) throw error(Errno.ENOSPC, "trie is full (" + spec.maxEntries() + " entries)");
            if (rc == -Errno.EEXIST.value()) throw error(Errno.EEXIST, "prefix " + Maps.hex(key) + " exists (BPF_NOEXIST)");
            if (rc == -Errno.ENOENT.value()) throw error(Errno.ENOENT, "no prefix " + Maps.hex(key) + " (BPF_EXIST)");
            check(rc, "update");
        }
    }

    @Override
    protected void deleteHost(byte[] key) throws BpfException {
        requireLive();
        checkKey(key);
        long rc = remove(key);
        if (rc == -Errno.ENOENT.value()) throw error(Errno.ENOENT, "no prefix " + Maps.hex(key));
        check(rc, "delete");
    }

    @Override
    protected byte[] nextKeyHost(byte[] key) throws BpfException {
        requireLive();
        Prefix from = null;
        if (key != null) {
            checkKey(key);
            int plen = prefixlen(key);
            if (Integer.compareUnsigned(plen, maxPrefixlen) <= 0) {
                Prefix p = new Prefix(plen, mask(data(key), plen));
                if (index.containsKey(p)) from = p;
            }
        }
        var next = from == null ? order.firstEntry() : order.higherEntry(from);
        if (next == null) throw error(Errno.ENOENT, key == null || from == null ? "trie is empty" : "no key after " + Maps.hex(key));
        return next.getValue().key().clone();
    }
}
