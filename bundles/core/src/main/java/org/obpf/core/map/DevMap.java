package org.obpf.core.map;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.obpf.api.BpfException;
import org.obpf.api.Errno;
import org.obpf.api.map.MapSpec;

/**
 * {@code BPF_MAP_TYPE_DEVMAP} ({@code kernel/bpf/devmap.c}): an array of
 * {@code struct bpf_devmap_val { u32 ifindex; u32 bpf_prog_fd; }} (value size 4 or 8) that
 * {@code bpf_redirect_map} sends XDP packets through. A slot with ifindex 0 is empty. OBPF has no
 * network devices of its own, so any non-zero ifindex is taken as given; devmap programs
 * ({@code bpf_prog.fd}) are not supported.
 */
public final class DevMap extends AbstractBpfMap {
    private final MemorySegment values;
    private final int elemSize;

    DevMap(MapSpec spec) throws BpfException {
        super(validate(spec), (long) spec.maxEntries() * 8);
        this.values = header.asSlice(HEADER_SIZE);
        this.elemSize = 8;
        registerRegion(values);
    }

    private static MapSpec validate(MapSpec spec) throws BpfException {
        if (spec.maxEntries() == 0 || spec.keySize() != 4 || (spec.valueSize() != 4 && spec.valueSize() != 8)) {
            throw new BpfException(Errno.EINVAL, "map " + spec.name() + ": devmap needs key size 4, value size 4 or 8 and"
                    + " max_entries > 0 (got key " + spec.keySize() + ", value " + spec.valueSize() + ", max_entries " + spec.maxEntries() + ")");
        }
        return spec;
    }

    private long slot(int index) {
        return values.address() + (long) index * elemSize;
    }

    /** The ifindex in slot {@code index}, or 0 when the slot is empty or out of range. */
    public int ifindex(int index) {
        if (Integer.compareUnsigned(index, spec.maxEntries()) >= 0) return 0;
        return (int) ValueLayout.JAVA_INT.varHandle().getAcquire(MEM, slot(index));
    }

    @Override
    protected boolean ownsValueAddress(long address) {
        long d = address - values.address();
        return d >= 0 && d < values.byteSize();
    }

    @Override
    public long lookupElem(MemorySegment key) {
        int i = key.get(ValueLayout.JAVA_INT_UNALIGNED, 0);
        return ifindex(i) == 0 ? 0 : slot(i);
    }

    @Override public long updateElem(MemorySegment key, MemorySegment value, long flags) { return -Errno.EINVAL.value(); }
    @Override public long deleteElem(MemorySegment key) { return -Errno.EINVAL.value(); }

    @Override
    public MemorySegment grantRegion(long valueAddress) {
        return values;
    }

    @Override
    protected byte[] lookupHost(byte[] key) throws BpfException {
        requireLive();
        int i = indexKey(key);
        if (ifindex(i) == 0) throw error(Errno.ENOENT, "slot " + Integer.toUnsignedString(i) + " is empty");
        return read(slot(i), spec.valueSize());
    }

    @Override
    protected void updateHost(byte[] key, byte[] value, long flags) throws BpfException {
        requireLive();
        int i = indexKey(key);
        checkValue(value);
        // dev_map_update_elem
        if (flags > BPF_EXIST || flags < 0) throw error(Errno.EINVAL, "invalid update flags 0x" + Long.toHexString(flags));
        if (Integer.compareUnsigned(i, spec.maxEntries()) >= 0) throw error(Errno.E2BIG, "index " + Integer.toUnsignedString(i) + " is outside 0.." + (spec.maxEntries() - 1));
        if (flags == BPF_NOEXIST) throw error(Errno.EEXIST, "index " + i + ": devmap slots always exist (BPF_NOEXIST)");
        int ifindex = value[0] & 0xff | (value[1] & 0xff) << 8 | (value[2] & 0xff) << 16 | (value[3] & 0xff) << 24;
        int progFd = value.length == 8 ? value[4] & 0xff | (value[5] & 0xff) << 8 | (value[6] & 0xff) << 16 | (value[7] & 0xff) << 24 : 0;
        if (progFd > 0) throw error(Errno.EINVAL, "devmap programs (bpf_prog.fd " + progFd + ") are not supported");
        MEM.set(ValueLayout.JAVA_INT, slot(i) + 4, 0);
        ValueLayout.JAVA_INT.varHandle().setRelease(MEM, slot(i), ifindex);
    }

    @Override
    protected void deleteHost(byte[] key) throws BpfException {
        requireLive();
        int i = indexKey(key);
        if (Integer.compareUnsigned(i, spec.maxEntries()) >= 0) throw error(Errno.EINVAL, "index " + Integer.toUnsignedString(i) + " is outside 0.." + (spec.maxEntries() - 1));
        ValueLayout.JAVA_INT.varHandle().setRelease(MEM, slot(i), 0);
    }

    @Override
    protected byte[] nextKeyHost(byte[] key) throws BpfException {
        requireLive();
        return nextIndexKey(key);
    }
}
