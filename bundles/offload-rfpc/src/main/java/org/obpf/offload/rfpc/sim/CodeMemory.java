package org.obpf.offload.rfpc.sim;

import java.util.Arrays;

/**
 * The device's instruction memory: the bytes as loaded, and beside them the predecoded form, one
 * slot per halfword, filled when code is loaded. Harts execute the slots, never the bytes.
 */
public final class CodeMemory {
    private final int base;
    private final byte[] bytes;
    /** One slot per halfword, plus one {@link Op#NOT_LOADED} slot past the end. */
    final long[] slots;

    public CodeMemory(int base, int size) {
        if ((base & 1) != 0 || size <= 0 || (size & 1) != 0) {
            throw new IllegalArgumentException("code memory needs an even base and size, got 0x"
                    + Integer.toHexString(base) + "+" + size);
        }
        this.base = base;
        this.bytes = new byte[size];
        this.slots = new long[size / 2 + 1];
    }

    public int base() {
        return base;
    }

    public int size() {
        return bytes.length;
    }

    /** The bytes themselves, readable as data (for a read-only region over code memory). */
    public byte[] bytes() {
        return bytes;
    }

    public boolean contains(int address, int length) {
        return Integer.compareUnsigned(address - base, bytes.length - length) <= 0;
    }

    /**
     * Writes {@code code} at {@code address} and decodes it. Decoding starts at the first byte and
     * follows instruction lengths, as a core fetching from there would; every halfword gets a slot
     * so that a jump into the middle of an instruction still executes what the core would see.
     */
    public synchronized void load(int address, byte[] code) {
        if (!contains(address, code.length) || (address & 1) != 0) {
            throw new IllegalArgumentException(String.format("%d bytes at 0x%08x do not fit code memory 0x%08x+%d",
                    code.length, address, base, bytes.length));
        }
        System.arraycopy(code, 0, bytes, address - base, code.length);
        int first = (address - base) >>> 1, end = first + code.length / 2;
        for (int s = first; s < end; s++) {
            int lo = halfword(s), hi = s + 1 < bytes.length / 2 ? halfword(s + 1) : 0;
            slots[s] = Decoder.decode(base, s, lo, hi);
        }
    }

    /** Forgets the code in a range: its slots fault again if executed. */
    public synchronized void unload(int address, int length) {
        int first = (address - base) >>> 1;
        Arrays.fill(slots, first, first + (length + 1) / 2, 0L);
        Arrays.fill(bytes, address - base, address - base + length, (byte) 0);
    }

    private int halfword(int slot) {
        return (bytes[2 * slot] & 0xff) | (bytes[2 * slot + 1] & 0xff) << 8;
    }

    /** The instruction bits at {@code address} as stored, for fault messages. */
    int rawAt(int address) {
        int s = (address - base) >>> 1;
        int lo = halfword(s);
        if ((lo & 3) != 3 || 2 * s + 3 >= bytes.length) return lo;
        return lo | halfword(s + 1) << 16;
    }
}
