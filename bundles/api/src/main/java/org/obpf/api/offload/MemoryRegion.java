package org.obpf.api.offload;

/**
 * A region of a device's memory that the JIT may address.
 *
 * @param name  the device's name for it ({@code local}, {@code dram}, {@code stack})
 * @param kind  what it is for
 * @param base  device address of its first byte
 * @param size  size in bytes
 */
public record MemoryRegion(String name, Kind kind, long base, long size) {
    public enum Kind { CODE, LOCAL, STACK, PACKET, MAP, DRAM, MMIO }

    public MemoryRegion {
        if (size < 0) throw new IllegalArgumentException("region " + name + ": negative size");
    }

    public boolean contains(long address, long length) {
        return address >= base && length >= 0 && address - base <= size - length;
    }
}
