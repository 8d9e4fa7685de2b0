package org.obpf.offload.rfpc.sim;

/**
 * A window of the device's 32-bit address space backed by a byte array. Several regions may
 * share one array: that is how the per-core window is translated to each core's own slice of the
 * group's local memory ({@code offset} differs, the device address does not).
 *
 * @param name     for fault messages ({@code local}, {@code dram}, {@code core})
 * @param base     device address of the first byte
 * @param size     bytes
 * @param mem      backing store
 * @param offset   index in {@code mem} of the first byte
 * @param writable stores allowed
 * @param penalty  extra cycles per access (0 for memory the core reaches directly)
 */
public record Region(String name, int base, int size, byte[] mem, int offset, boolean writable, int penalty) {
    public Region {
        if (size < 8) throw new IllegalArgumentException("region " + name + ": size " + size + " below 8 bytes");
        if (offset < 0 || offset > mem.length - size) {
            throw new IllegalArgumentException("region " + name + ": " + size + " bytes at " + offset + " outside its "
                    + mem.length + "-byte store");
        }
        if (Integer.toUnsignedLong(base) + size > 1L << 32) {
            throw new IllegalArgumentException("region " + name + " wraps past the end of the address space");
        }
    }

    public boolean contains(int address, int length) {
        return Integer.compareUnsigned(address - base, size - length) <= 0;
    }

    @Override
    public String toString() {
        return String.format("%s[0x%08x..0x%08x)", name, base, Integer.toUnsignedLong(base) + size);
    }
}
