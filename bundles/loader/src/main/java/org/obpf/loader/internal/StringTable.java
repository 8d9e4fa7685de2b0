package org.obpf.loader.internal;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * NUL-terminated strings at offsets in a table (ELF string sections, the BTF string section).
 * Each lookup is O(1) plus the string's length, each distinct string is built once, and the
 * bytes of all strings built from one file are bounded, so that hostile files with many
 * references to long strings cannot make the loader quadratic or exhaust memory.
 */
final class StringTable {
    /** Most bytes of distinct strings one table gives out. */
    static final long MAX_STRING_BYTES = 64L << 20;

    /** Why a lookup failed; the caller turns it into a LoadException naming the table. */
    static final class Bad extends Exception {
        private static final long serialVersionUID = 1L;

        Bad(String message) {
            super(message, null, false, false);
        }
    }

    private final byte[] data;
    private final int start;
    private final int length;
    private int[] nul; // nul[i] = index (relative) of the first NUL at or after i, or length
    private final Map<Long, String> cache = new HashMap<>();
    private long given;

    StringTable(byte[] data, int start, int length) {
        this.data = data;
        this.start = start;
        this.length = length;
    }

    int length() {
        return length;
    }

    String get(long off) throws Bad {
        if (off < 0 || off >= length) throw new Bad("string offset " + off + " is out of range of its table (" + length + " bytes)");
        String s = cache.get(off);
        if (s != null) return s;
        if (nul == null) {
            nul = new int[length];
            int next = length;
            for (int i = length - 1; i >= 0; i--) {
                if (data[start + i] == 0) next = i;
                nul[i] = next;
            }
        }
        int end = nul[(int) off];
        if (end == length) throw new Bad("string at offset " + off + " is not NUL-terminated within its table");
        given += end - off;
        if (given > MAX_STRING_BYTES) throw new Bad("strings referenced from the table exceed " + MAX_STRING_BYTES + " bytes");
        s = new String(data, start + (int) off, end - (int) off, StandardCharsets.UTF_8);
        cache.put(off, s);
        return s;
    }
}
