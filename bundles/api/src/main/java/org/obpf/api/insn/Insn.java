package org.obpf.api.insn;

/**
 * One 8-byte instruction slot in the kernel's {@code struct bpf_insn} layout: opcode, destination
 * and source registers, signed 16-bit offset and signed 32-bit immediate. A 16-byte immediate
 * load occupies two slots; the second has opcode 0 and carries the high 32 bits in {@code imm}.
 *
 * <p>The packed form ({@link #encode()}) is the little-endian 64-bit word of the slot, the form
 * programs are stored and passed around in ({@code long[]}).
 */
public record Insn(int code, int dst, int src, short off, int imm) {

    public Insn {
        if ((code & ~0xff) != 0) throw new IllegalArgumentException("opcode out of range: " + code);
        if ((dst & ~0xf) != 0) throw new IllegalArgumentException("dst register out of range: " + dst);
        if ((src & ~0xf) != 0) throw new IllegalArgumentException("src register out of range: " + src);
    }

    public Insn(int code, int dst, int src, int off, int imm) {
        this(code, dst, src, (short) off, imm);
        if (off < Short.MIN_VALUE || off > Short.MAX_VALUE) {
            throw new IllegalArgumentException("offset out of 16-bit range: " + off);
        }
    }

    public static Insn decode(long word) {
        return new Insn(code(word), dst(word), src(word), off(word), imm(word));
    }

    public long encode() {
        return encode(code, dst, src, off, imm);
    }

    public static long encode(int code, int dst, int src, int off, int imm) {
        return (code & 0xffL) | (dst & 0xfL) << 8 | (src & 0xfL) << 12 | (off & 0xffffL) << 16
                | (imm & 0xffffffffL) << 32;
    }

    public static int code(long word) { return (int) (word & 0xff); }
    public static int dst(long word) { return (int) (word >>> 8) & 0xf; }
    public static int src(long word) { return (int) (word >>> 12) & 0xf; }
    public static short off(long word) { return (short) (word >>> 16); }
    public static int imm(long word) { return (int) (word >>> 32); }

    /** The word with its immediate replaced: how prelink and link passes patch {@code lddw}. */
    public static long withImm(long word, int imm) {
        return (word & 0xffffffffL) | (imm & 0xffffffffL) << 32;
    }
}
