package org.obpf.offload.rfpc.sim;

import java.util.List;

/**
 * One core's view of the device's address space: a short list of regions, searched in order
 * (put the busiest first). A core's own window and the shared regions are all in the list, so
 * the same code runs unchanged on every core.
 */
public final class AddressSpace {
    private final Region[] regions;

    public AddressSpace(List<Region> regions) {
        this.regions = regions.toArray(Region[]::new);
        for (int i = 0; i < this.regions.length; i++) {
            for (int j = 0; j < i; j++) {
                Region a = this.regions[i], b = this.regions[j];
                long a0 = Integer.toUnsignedLong(a.base()), b0 = Integer.toUnsignedLong(b.base());
                if (a0 < b0 + b.size() && b0 < a0 + a.size()) {
                    throw new IllegalArgumentException("regions " + a + " and " + b + " overlap");
                }
            }
        }
    }

    public List<Region> regions() {
        return List.of(regions);
    }

    /** The region holding {@code length} bytes at {@code address}. */
    public Region find(int pc, int address, int length) {
        for (Region r : regions) {
            if (Integer.compareUnsigned(address - r.base(), r.size() - length) <= 0) return r;
        }
        throw new SimFault(pc, String.format("access of %d bytes at 0x%08x outside device memory", length, address));
    }

    /** The region for a store, which must be writable. */
    public Region findWritable(int pc, int address, int length) {
        Region r = find(pc, address, length);
        if (!r.writable()) throw new SimFault(pc, String.format("store to read-only %s at 0x%08x", r.name(), address));
        return r;
    }

    /** Copies bytes out of device memory (firmware and host side). */
    public byte[] read(int address, int length) {
        if (length == 0) return new byte[0];
        Region r = find(-1, address, length);
        byte[] out = new byte[length];
        System.arraycopy(r.mem(), r.offset() + (address - r.base()), out, 0, length);
        return out;
    }

    /** Copies bytes into device memory (firmware and host side; ignores write protection). */
    public void write(int address, byte[] bytes) {
        if (bytes.length == 0) return;
        Region r = find(-1, address, bytes.length);
        System.arraycopy(bytes, 0, r.mem(), r.offset() + (address - r.base()), bytes.length);
    }
}
