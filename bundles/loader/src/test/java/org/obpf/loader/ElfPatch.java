package org.obpf.loader;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Finds headers, symbols and relocations in a well-formed object so that a test can break one field. */
final class ElfPatch {
    final byte[] b;
    private final ByteBuffer le;

    ElfPatch(byte[] file) {
        this.b = file.clone();
        this.le = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    long shoff() { return le.getLong(0x28); }

    int shnum() { return Short.toUnsignedInt(le.getShort(0x3c)); }

    /** Byte offset of the section header of the section named {@code name}. */
    int shdr(String name) {
        int shstrndx = Short.toUnsignedInt(le.getShort(0x3e));
        int strOff = (int) le.getLong((int) shoff() + shstrndx * 64 + 0x18);
        for (int i = 0; i < shnum(); i++) {
            int h = (int) shoff() + i * 64;
            if (cstring(strOff + le.getInt(h)).equals(name)) return h;
        }
        throw new AssertionError("no section " + name);
    }

    int index(String section) { return (shdr(section) - (int) shoff()) / 64; }

    long offset(String section) { return le.getLong(shdr(section) + 0x18); }

    /** Byte offset of the symbol table entry of {@code name}. */
    int sym(String name) {
        int st = shdr(".symtab");
        int off = (int) le.getLong(st + 0x18), size = (int) le.getLong(st + 0x20);
        int strtab = (int) le.getLong((int) shoff() + le.getInt(st + 0x28) * 64 + 0x18);
        for (int p = off; p < off + size; p += 24) {
            if (cstring(strtab + le.getInt(p)).equals(name)) return p;
        }
        throw new AssertionError("no symbol " + name);
    }

    int symIndex(String name) { return (sym(name) - (int) offset(".symtab")) / 24; }

    /** Byte offset of relocation entry {@code i} of relocation section {@code relSection}. */
    int rel(String relSection, int i) { return (int) offset(relSection) + 16 * i; }

    ElfPatch u8(int off, int v) { b[off] = (byte) v; return this; }

    ElfPatch u16(int off, int v) { le.putShort(off, (short) v); return this; }

    ElfPatch u32(int off, long v) { le.putInt(off, (int) v); return this; }

    ElfPatch u64(int off, long v) { le.putLong(off, v); return this; }

    int getU32(int off) { return le.getInt(off); }

    long getU64(int off) { return le.getLong(off); }

    private String cstring(int off) {
        int end = off;
        while (b[end] != 0) end++;
        return new String(b, off, end - off, StandardCharsets.US_ASCII);
    }
}
