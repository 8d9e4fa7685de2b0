package org.obpf.core.verifier;

/**
 * A tristate number, the kernel's {@code struct tnum} ({@code kernel/bpf/tnum.c}): each bit is
 * known 0, known 1 or unknown. A bit set in {@code mask} is unknown; {@code value} holds the known
 * bits and is 0 wherever {@code mask} is 1. Pure and immutable; every operation is the kernel's.
 */
public record Tnum(long value, long mask) {

    public static final Tnum UNKNOWN = new Tnum(0, -1L);
    public static final Tnum ZERO = new Tnum(0, 0);

    public static Tnum of(long value, long mask) {
        return new Tnum(value & ~mask, mask);
    }

    public static Tnum constant(long value) {
        return new Tnum(value, 0);
    }

    /** tnum_range: the smallest tnum holding every value of the unsigned range [min, max]. */
    public static Tnum range(long min, long max) {
        long chi = min ^ max;
        int bits = 64 - Long.numberOfLeadingZeros(chi); // fls64
        if (bits > 63) return UNKNOWN;
        long delta = (1L << bits) - 1;
        return new Tnum(min & ~delta, delta);
    }

    public boolean isConst() {
        return mask == 0;
    }

    public boolean isUnknown() {
        return mask == -1L;
    }

    public boolean equalsConst(long v) {
        return mask == 0 && value == v;
    }

    public Tnum lshift(int shift) {
        return new Tnum(value << shift, mask << shift);
    }

    public Tnum rshift(int shift) {
        return new Tnum(value >>> shift, mask >>> shift);
    }

    /** tnum_arshift: arithmetic shift at 32 or 64 bits (the 32-bit result is zero-extended). */
    public Tnum arshift(int shift, int bitness) {
        if (bitness == 32) {
            return new Tnum(((int) value >> shift) & 0xffffffffL, ((int) mask >> shift) & 0xffffffffL);
        }
        return new Tnum(value >> shift, mask >> shift);
    }

    public Tnum add(Tnum b) {
        long sm = mask + b.mask;
        long sv = value + b.value;
        long sigma = sm + sv;
        long chi = sigma ^ sv;
        long mu = chi | mask | b.mask;
        return new Tnum(sv & ~mu, mu);
    }

    public Tnum sub(Tnum b) {
        long dv = value - b.value;
        long alpha = dv + mask;
        long beta = dv - b.mask;
        long chi = alpha ^ beta;
        long mu = chi | mask | b.mask;
        return new Tnum(dv & ~mu, mu);
    }

    public Tnum neg() {
        return ZERO.sub(this);
    }

    public Tnum and(Tnum b) {
        long alpha = value | mask;
        long beta = b.value | b.mask;
        long v = value & b.value;
        return new Tnum(v, alpha & beta & ~v);
    }

    public Tnum or(Tnum b) {
        long v = value | b.value;
        long mu = mask | b.mask;
        return new Tnum(v, mu & ~v);
    }

    public Tnum xor(Tnum b) {
        long v = value ^ b.value;
        long mu = mask | b.mask;
        return new Tnum(v & ~mu, mu);
    }

    /** tnum_mul: long multiplication, a known-1 bit of a adds b, an unknown bit adds b's possible bits. */
    public Tnum mul(Tnum b) {
        Tnum a = this;
        long accV = a.value * b.value;
        Tnum accM = ZERO;
        while (a.value != 0 || a.mask != 0) {
            if ((a.value & 1) != 0) accM = accM.add(new Tnum(0, b.mask));
            else if ((a.mask & 1) != 0) accM = accM.add(new Tnum(0, b.value | b.mask));
            a = a.rshift(1);
            b = b.lshift(1);
        }
        return constant(accV).add(accM);
    }

    /** tnum_intersect: what both a and b know (they describe the same value). */
    public Tnum intersect(Tnum b) {
        long v = value | b.value;
        long mu = mask & b.mask;
        return new Tnum(v & ~mu, mu);
    }

    /** tnum_union: a value that is either a or b. */
    public Tnum union(Tnum b) {
        long v = value & b.value;
        long mu = (value ^ b.value) | mask | b.mask;
        return new Tnum(v & ~mu, mu);
    }

    /** tnum_cast: truncation to {@code size} bytes. */
    public Tnum cast(int size) {
        if (size >= 8) return this;
        long m = (1L << (size * 8)) - 1;
        return new Tnum(value & m, mask & m);
    }

    public boolean isAligned(long size) {
        if (size == 0) return true;
        return ((value | mask) & (size - 1)) == 0;
    }

    /** tnum_in: every value of {@code b} is a value of this. */
    public boolean contains(Tnum b) {
        if ((b.mask & ~mask) != 0) return false;
        return value == (b.value & ~mask);
    }

    /** True when the concrete {@code v} is one of this tnum's values. */
    public boolean contains(long v) {
        return (v & ~mask) == value;
    }

    public Tnum subreg() {
        return cast(4);
    }

    public Tnum clearSubreg() {
        return rshift(32).lshift(32);
    }

    public Tnum withSubreg(Tnum subreg) {
        return clearSubreg().or(subreg.subreg());
    }

    public Tnum constSubreg(int v) {
        return withSubreg(constant(v & 0xffffffffL));
    }

    public boolean subregIsConst() {
        return (mask & 0xffffffffL) == 0;
    }

    /** The byte-swap of the low {@code bits} bits (zero-extended), bit for bit. */
    public Tnum bswap(int bits) {
        return switch (bits) {
            case 16 -> new Tnum(Short.reverseBytes((short) value) & 0xffffL, Short.reverseBytes((short) mask) & 0xffffL);
            case 32 -> new Tnum(Integer.reverseBytes((int) value) & 0xffffffffL, Integer.reverseBytes((int) mask) & 0xffffffffL);
            default -> new Tnum(Long.reverseBytes(value), Long.reverseBytes(mask));
        };
    }

    /** The kernel's tnum_strn: {@code (0x0; 0xff)}. */
    @Override
    public String toString() {
        return "(0x" + Long.toHexString(value) + "; 0x" + Long.toHexString(mask) + ")";
    }
}
