package org.obpf.offload.nfp;

import java.util.Arrays;
import org.obpf.api.BpfException;
import org.obpf.api.Errno;
import org.obpf.api.map.MapSpec;
import org.obpf.api.map.MapType;
import org.obpf.api.offload.DeviceMap;

/**
 * A map in the NFP's DRAM, reached by the firmware's map helpers (by its table id) and by the
 * host through the device. Arrays keep values at 8-byte strides; hash maps are open-addressed
 * slots of [state word, key, value] (state 0 empty, 1 used, 2 deleted), probed linearly from the
 * key's hash. Values are plain little-endian bytes, which the program reads with
 * {@code read32_swap} and adds to with {@code atomic_add}. Errors carry the kernel's numbers.
 */
public abstract sealed class NfpMap implements DeviceMap {
    static final long BPF_ANY = 0, BPF_NOEXIST = 1, BPF_EXIST = 2;

    final NfpDevice device;
    final MapSpec spec;
    /** Device table id (what the program's {@code immed} carries) and DRAM address. */
    final int id;
    final long address;
    final int valueStride;
    private volatile boolean closed;

    NfpMap(NfpDevice device, MapSpec spec, int id, long address) {
        this.device = device;
        this.spec = spec;
        this.id = id;
        this.address = address;
        this.valueStride = (spec.valueSize() + 7) & ~7;
    }

    static void check(String dev, MapSpec spec) throws BpfException {
        if (spec.type() != MapType.ARRAY && spec.type() != MapType.HASH && spec.type() != MapType.PERF_EVENT_ARRAY) {
            throw new BpfException(Errno.EINVAL, dev + ": map " + spec.name() + ": type " + spec.type() + " cannot live on the NFP (array, hash and perf event array only)");
        }
        if (spec.keySize() <= 0 || spec.valueSize() <= 0 || spec.maxEntries() <= 0) {
            throw new BpfException(Errno.EINVAL, dev + ": map " + spec.name() + ": key, value and entry counts must be positive");
        }
        if (spec.type() == MapType.ARRAY && spec.keySize() != 4) {
            throw new BpfException(Errno.EINVAL, dev + ": array map " + spec.name() + " needs 4-byte keys, not " + spec.keySize());
        }
    }

    /** DRAM bytes a map takes. */
    static long footprint(MapSpec spec) {
        long stride = (spec.valueSize() + 7) & ~7;
        if (spec.type() == MapType.ARRAY) return stride * spec.maxEntries();
        if (spec.type() == MapType.PERF_EVENT_ARRAY) return 8;
        return (8 + ((spec.keySize() + 7) & ~7) + stride) * (long) slots(spec);
    }

    static int slots(MapSpec spec) {
        return Math.max(spec.maxEntries() + spec.maxEntries() / 2, spec.maxEntries() + 1);
    }

    @Override
    public MapSpec spec() {
        return spec;
    }

    @Override
    public long deviceAddress() {
        return address;
    }

    public int tableId() {
        return id;
    }

    int dramOffset(long devAddr) {
        return (int) (devAddr - NfpDevice.DRAM_BASE);
    }

    byte[] dram() {
        return device.dram;
    }

    void checkKey(byte[] key) throws BpfException {
        if (closed) throw new BpfException(Errno.EBADF, device.name() + ": map " + spec.name() + " was freed");
        if (key == null || key.length != spec.keySize()) {
            throw new BpfException(Errno.EINVAL, "map " + spec.name() + ": key of " + (key == null ? 0 : key.length) + " bytes, the map's keys have " + spec.keySize());
        }
    }

    /** The value's DRAM address, or -1 (the firmware's lookup). */
    abstract long find(byte[] key);

    /** Errno value (0 on success) of an update (the firmware's update). */
    abstract int put(byte[] key, byte[] value, long flags);

    /** Errno value of a delete. */
    abstract int remove(byte[] key);

    abstract byte[] next(byte[] key);

    @Override
    public byte[] lookup(byte[] key) throws BpfException {
        checkKey(key);
        synchronized (device) {
            long at = find(key);
            if (at < 0) throw new BpfException(Errno.ENOENT, "map " + spec.name() + ": no such key");
            int off = dramOffset(at);
            return Arrays.copyOfRange(dram(), off, off + spec.valueSize());
        }
    }

    @Override
    public void update(byte[] key, byte[] value, long flags) throws BpfException {
        checkKey(key);
        if (value == null || value.length != spec.valueSize()) {
            throw new BpfException(Errno.EINVAL, "map " + spec.name() + ": value of " + (value == null ? 0 : value.length) + " bytes, the map's values have " + spec.valueSize());
        }
        int e;
        synchronized (device) {
            e = put(key, value, flags);
        }
        if (e != 0) throw error(e, "update");
    }

    @Override
    public void delete(byte[] key) throws BpfException {
        checkKey(key);
        int e;
        synchronized (device) {
            e = remove(key);
        }
        if (e != 0) throw error(e, "delete");
    }

    @Override
    public byte[] nextKey(byte[] key) throws BpfException {
        if (key != null) checkKey(key);
        byte[] k;
        synchronized (device) {
            k = next(key);
        }
        if (k == null) throw new BpfException(Errno.ENOENT, "map " + spec.name() + ": no key after the last");
        return k;
    }

    private BpfException error(int errno, String op) {
        Errno e = Arrays.stream(Errno.values()).filter(x -> x.value() == errno).findFirst().orElse(Errno.EINVAL);
        return new BpfException(e, "map " + spec.name() + ": " + op + " failed: " + e);
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        device.freeMap(this);
    }

    boolean closed() {
        return closed;
    }

    static final class Array extends NfpMap {
        Array(NfpDevice device, MapSpec spec, int id, long address) {
            super(device, spec, id, address);
        }

        private long index(byte[] key) {
            return (key[0] & 0xff | (key[1] & 0xff) << 8 | (key[2] & 0xff) << 16 | (long) (key[3] & 0xff) << 24);
        }

        @Override
        long find(byte[] key) {
            long i = index(key);
            return i < spec.maxEntries() ? address + i * valueStride : -1;
        }

        @Override
        int put(byte[] key, byte[] value, long flags) {
            if (flags > BPF_EXIST) return Errno.EINVAL.value();
            long i = index(key);
            if (i >= spec.maxEntries()) return Errno.E2BIG.value();
            if (flags == BPF_NOEXIST) return Errno.EEXIST.value();
            System.arraycopy(value, 0, dram(), dramOffset(address + i * valueStride), spec.valueSize());
            return 0;
        }

        @Override
        int remove(byte[] key) {
            return Errno.EINVAL.value();
        }

        @Override
        byte[] next(byte[] key) {
            long i = key == null ? 0 : index(key) + 1;
            if (key != null && index(key) >= spec.maxEntries()) i = 0;
            if (i >= spec.maxEntries()) return null;
            return new byte[] {(byte) i, (byte) (i >>> 8), (byte) (i >>> 16), (byte) (i >>> 24)};
        }
    }

    static final class Hash extends NfpMap {
        private final int keyStride, slotBytes, slots;
        private int count;

        Hash(NfpDevice device, MapSpec spec, int id, long address) {
            super(device, spec, id, address);
            this.keyStride = (spec.keySize() + 7) & ~7;
            this.slotBytes = 8 + keyStride + valueStride;
            this.slots = slots(spec);
        }

        private int slotOff(int s) {
            return dramOffset(address) + s * slotBytes;
        }

        private int state(int s) {
            return dram()[slotOff(s)];
        }

        private boolean keyAt(int s, byte[] key) {
            return Arrays.equals(dram(), slotOff(s) + 8, slotOff(s) + 8 + key.length, key, 0, key.length);
        }

        private int home(byte[] key) {
            return Math.floorMod(Arrays.hashCode(key) * 0x9e3779b9, slots);
        }

        /** The slot holding {@code key}, or -1. */
        private int slotOf(byte[] key) {
            for (int i = 0, s = home(key); i < slots; i++, s = (s + 1) % slots) {
                int st = state(s);
                if (st == 0) return -1;
                if (st == 1 && keyAt(s, key)) return s;
            }
            return -1;
        }

        @Override
        long find(byte[] key) {
            int s = slotOf(key);
            return s < 0 ? -1 : NfpDevice.DRAM_BASE + slotOff(s) + 8 + keyStride;
        }

        @Override
        int put(byte[] key, byte[] value, long flags) {
            if (flags > BPF_EXIST) return Errno.EINVAL.value();
            int s = slotOf(key);
            if (s >= 0) {
                if (flags == BPF_NOEXIST) return Errno.EEXIST.value();
            } else {
                if (flags == BPF_EXIST) return Errno.ENOENT.value();
                if (count == spec.maxEntries()) return Errno.E2BIG.value();
                s = home(key);
                while (state(s) == 1) s = (s + 1) % slots;
                dram()[slotOff(s)] = 1;
                System.arraycopy(key, 0, dram(), slotOff(s) + 8, key.length);
                count++;
            }
            System.arraycopy(value, 0, dram(), slotOff(s) + 8 + keyStride, spec.valueSize());
            return 0;
        }

        @Override
        int remove(byte[] key) {
            int s = slotOf(key);
            if (s < 0) return Errno.ENOENT.value();
            dram()[slotOff(s)] = 2;
            count--;
            return 0;
        }

        @Override
        byte[] next(byte[] key) {
            int from = 0;
            if (key != null) {
                int s = slotOf(key);
                from = s < 0 ? 0 : s + 1;
            }
            for (int s = from; s < slots; s++) {
                if (state(s) == 1) return Arrays.copyOfRange(dram(), slotOff(s) + 8, slotOff(s) + 8 + spec.keySize());
            }
            return null;
        }
    }

    /**
     * A perf event array: the firmware's perf_event_output appends records here (the NFP sends
     * them to the host over the control channel); the host drains them. No keys or values.
     */
    static final class PerfEvents extends NfpMap {
        private final java.util.List<byte[]> records = new java.util.ArrayList<>();

        PerfEvents(NfpDevice device, MapSpec spec, int id, long address) {
            super(device, spec, id, address);
        }

        void add(byte[] record) {
            records.add(record);
        }

        /** The records output since the last call, oldest first. */
        public java.util.List<byte[]> drain() {
            synchronized (device) {
                var out = java.util.List.copyOf(records);
                records.clear();
                return out;
            }
        }

        @Override
        long find(byte[] key) {
            return -1;
        }

        @Override
        int put(byte[] key, byte[] value, long flags) {
            return Errno.EOPNOTSUPP.value();
        }

        @Override
        int remove(byte[] key) {
            return Errno.EOPNOTSUPP.value();
        }

        @Override
        byte[] next(byte[] key) {
            return null;
        }
    }
}
