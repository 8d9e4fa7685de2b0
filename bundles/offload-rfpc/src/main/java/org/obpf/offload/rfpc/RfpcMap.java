package org.obpf.offload.rfpc;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.obpf.api.BpfException;
import org.obpf.api.Errno;
import org.obpf.api.map.MapSpec;
import org.obpf.api.map.MapType;
import org.obpf.api.offload.DeviceMap;

/**
 * A map in the RFPC's DRAM. The header at {@link #deviceAddress()} holds type, key size, value
 * size and max_entries as the firmware sees them; keys and values live in DRAM after it, so the
 * address a lookup returns is where a program on a core reads and writes the value. Host-side
 * operations and the firmware helpers share one implementation, with the kernel's error numbers.
 */
abstract sealed class RfpcMap implements DeviceMap permits RfpcMap.Array, RfpcMap.Hash {
    static final int HEADER = 32;
    static final long BPF_ANY = 0, BPF_NOEXIST = 1, BPF_EXIST = 2, BPF_F_LOCK = 4;

    final RfpcDevice device;
    final MapSpec spec;
    final long address;
    /** DRAM contents and the index of this map's header in it. */
    final byte[] dram;
    final int at;
    private volatile boolean closed;

    RfpcMap(RfpcDevice device, MapSpec spec, long address) {
        this.device = device;
        this.spec = spec;
        this.address = address;
        this.dram = device.dramBytes();
        this.at = (int) (address - Integer.toUnsignedLong(Layout.DRAM));
        ByteBuffer h = ByteBuffer.wrap(dram, at, HEADER).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(spec.type().kernelId()).putInt(spec.keySize()).putInt(spec.valueSize()).putInt(spec.maxEntries());
    }

    static long round8(long n) {
        return (n + 7) & ~7L;
    }

    /** DRAM bytes a map of this spec needs, header included. */
    static long footprint(MapSpec s) {
        return switch (s.type()) {
            case ARRAY -> HEADER + round8(s.valueSize()) * s.maxEntries();
            case HASH -> HEADER + (round8(s.keySize()) + round8(s.valueSize())) * s.maxEntries();
            default -> throw new IllegalArgumentException(s.type().kernelName());
        };
    }

    /** The kernel's map_alloc_check for the types an RFPC holds. */
    static void check(String dev, MapSpec s) throws BpfException {
        String what = dev + ": map " + s.name() + ": ";
        if (s.type() != MapType.ARRAY && s.type() != MapType.HASH) {
            throw new BpfException(Errno.EINVAL, what + s.type().kernelName() + " maps cannot live on the device (array, hash only)");
        }
        if (s.maxEntries() == 0 || s.valueSize() == 0 || s.keySize() == 0) {
            throw new BpfException(Errno.EINVAL, what + "key size, value size and max_entries must be non-zero");
        }
        if (s.type() == MapType.ARRAY && s.keySize() != 4) {
            throw new BpfException(Errno.EINVAL, what + "array maps have 4-byte keys, not " + s.keySize());
        }
        if (s.keySize() > 512 || s.valueSize() > 65536) {
            throw new BpfException(Errno.E2BIG, what + "key size " + s.keySize() + " or value size " + s.valueSize() + " too large");
        }
    }

    @Override
    public MapSpec spec() {
        return spec;
    }

    @Override
    public long deviceAddress() {
        return address;
    }

    void checkOpen() throws BpfException {
        if (closed) throw new BpfException(Errno.EBADF, device.name() + ": map " + spec.name() + " was freed");
    }

    void checkKey(byte[] key) throws BpfException {
        if (key.length != spec.keySize()) {
            throw new BpfException(Errno.EINVAL, "map " + spec.name() + ": key of " + key.length + " bytes, expected " + spec.keySize());
        }
    }

    void checkValue(byte[] value) throws BpfException {
        if (value.length != spec.valueSize()) {
            throw new BpfException(Errno.EINVAL, "map " + spec.name() + ": value of " + value.length + " bytes, expected " + spec.valueSize());
        }
    }

    /** DRAM index of the value for {@code key}, or -1. */
    abstract int find(byte[] key);

    /** 0 or a negative errno, as the helper returns it. */
    abstract int put(byte[] key, byte[] value, long flags);

    abstract int remove(byte[] key);

    /** The next key, or null for ENOENT. */
    abstract byte[] next(byte[] key);

    @Override
    public synchronized byte[] lookup(byte[] key) throws BpfException {
        checkOpen();
        checkKey(key);
        int v = find(key);
        if (v < 0) throw new BpfException(Errno.ENOENT, "map " + spec.name() + ": no such key");
        byte[] out = new byte[spec.valueSize()];
        System.arraycopy(dram, v, out, 0, out.length);
        return out;
    }

    @Override
    public synchronized void update(byte[] key, byte[] value, long flags) throws BpfException {
        checkOpen();
        checkKey(key);
        checkValue(value);
        int r = put(key, value, flags);
        if (r < 0) throw error(-r, "update");
    }

    @Override
    public synchronized void delete(byte[] key) throws BpfException {
        checkOpen();
        checkKey(key);
        int r = remove(key);
        if (r < 0) throw error(-r, "delete");
    }

    @Override
    public synchronized byte[] nextKey(byte[] key) throws BpfException {
        checkOpen();
        if (key != null) checkKey(key);
        byte[] k = next(key);
        if (k == null) throw new BpfException(Errno.ENOENT, "map " + spec.name() + ": no next key");
        return k;
    }

    private BpfException error(int errno, String op) {
        Errno e = Errno.EINVAL;
        for (Errno x : Errno.values()) if (x.value() == errno) e = x;
        String why = switch (e) {
            case ENOENT -> "no such key";
            case EEXIST -> "key exists (BPF_NOEXIST)";
            case E2BIG -> "map is full or index out of range";
            default -> "invalid flags or operation";
        };
        return new BpfException(e, "map " + spec.name() + ": " + op + ": " + why);
    }

    /** Device address of a DRAM index. */
    long addressOf(int index) {
        return Integer.toUnsignedLong(Layout.DRAM) + index;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        device.freeMap(this);
    }

    @Override
    public String toString() {
        return spec.type().kernelName() + " map " + spec.name() + " at 0x" + Long.toHexString(address) + " on " + device.name();
    }

    /** {@code BPF_MAP_TYPE_ARRAY}: values at 8-byte strides after the header, all present, zeroed at creation. */
    static final class Array extends RfpcMap {
        private final int stride;

        Array(RfpcDevice device, MapSpec spec, long address) {
            super(device, spec, address);
            stride = (int) round8(spec.valueSize());
            java.util.Arrays.fill(dram, at + HEADER, at + HEADER + stride * spec.maxEntries(), (byte) 0);
        }

        @Override
        public long valueAddress() {
            return address + HEADER;
        }

        private static int index(byte[] key) {
            return ByteBuffer.wrap(key).order(ByteOrder.LITTLE_ENDIAN).getInt();
        }

        @Override
        int find(byte[] key) {
            int i = index(key);
            return Integer.compareUnsigned(i, spec.maxEntries()) < 0 ? at + HEADER + i * stride : -1;
        }

        @Override
        int put(byte[] key, byte[] value, long flags) {
            if ((flags & ~BPF_F_LOCK) > BPF_EXIST) return -Errno.EINVAL.value();
            int i = index(key);
            if (Integer.compareUnsigned(i, spec.maxEntries()) >= 0) return -Errno.E2BIG.value();
            if ((flags & 3) == BPF_NOEXIST) return -Errno.EEXIST.value();
            System.arraycopy(value, 0, dram, at + HEADER + i * stride, value.length);
            return 0;
        }

        @Override
        int remove(byte[] key) {
            return -Errno.EINVAL.value();
        }

        @Override
        byte[] next(byte[] key) {
            int i = key == null ? -1 : index(key);
            int n = key == null || Integer.compareUnsigned(i, spec.maxEntries()) >= 0 ? 0 : i + 1;
            if (n >= spec.maxEntries()) return null;
            return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(n).array();
        }
    }

    /**
     * {@code BPF_MAP_TYPE_HASH}: preallocated slots (key, then value, each 8-byte aligned) after
     * the header; the firmware's index maps keys to slots, in insertion order.
     */
    static final class Hash extends RfpcMap {
        private final int keyStride;
        private final int slotSize;
        private final java.util.LinkedHashMap<ByteBuffer, Integer> index = new java.util.LinkedHashMap<>();
        private final java.util.ArrayDeque<Integer> freeSlots = new java.util.ArrayDeque<>();

        Hash(RfpcDevice device, MapSpec spec, long address) {
            super(device, spec, address);
            keyStride = (int) round8(spec.keySize());
            slotSize = keyStride + (int) round8(spec.valueSize());
            for (int i = 0; i < spec.maxEntries(); i++) freeSlots.add(i);
        }

        private int slotAt(int slot) {
            return at + HEADER + slot * slotSize;
        }

        @Override
        int find(byte[] key) {
            Integer s = index.get(ByteBuffer.wrap(key));
            return s == null ? -1 : slotAt(s) + keyStride;
        }

        @Override
        int put(byte[] key, byte[] value, long flags) {
            if ((flags & ~BPF_F_LOCK) > BPF_EXIST) return -Errno.EINVAL.value();
            Integer s = index.get(ByteBuffer.wrap(key));
            if (s != null && (flags & 3) == BPF_NOEXIST) return -Errno.EEXIST.value();
            if (s == null && (flags & 3) == BPF_EXIST) return -Errno.ENOENT.value();
            if (s == null) {
                if (freeSlots.isEmpty()) return -Errno.E2BIG.value();
                s = freeSlots.poll();
                byte[] k = key.clone();
                System.arraycopy(k, 0, dram, slotAt(s), k.length);
                index.put(ByteBuffer.wrap(k), s);
            }
            System.arraycopy(value, 0, dram, slotAt(s) + keyStride, value.length);
            return 0;
        }

        @Override
        int remove(byte[] key) {
            Integer s = index.remove(ByteBuffer.wrap(key));
            if (s == null) return -Errno.ENOENT.value();
            java.util.Arrays.fill(dram, slotAt(s), slotAt(s) + slotSize, (byte) 0);
            freeSlots.add(s);
            return 0;
        }

        @Override
        byte[] next(byte[] key) {
            var it = index.keySet().iterator();
            if (key != null && index.containsKey(ByteBuffer.wrap(key))) {
                ByteBuffer k = ByteBuffer.wrap(key);
                while (it.hasNext()) if (it.next().equals(k)) break;
            }
            if (!it.hasNext()) return null;
            ByteBuffer n = it.next();
            byte[] out = new byte[n.remaining()];
            n.duplicate().get(out);
            return out;
        }
    }
}
