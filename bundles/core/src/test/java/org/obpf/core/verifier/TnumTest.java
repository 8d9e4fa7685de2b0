package org.obpf.core.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BinaryOperator;
import java.util.function.LongBinaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Every tnum operation against brute force over all tnums of 5 bits (243 of them): the result
 * must hold every concrete result (soundness), and where the kernel's operation is the best
 * tnum (and, or, xor, add, sub, intersect) it must be exactly the tnum of the concrete results.
 */
class TnumTest {
    static final int W = 5;

    static List<Tnum> all() {
        List<Tnum> out = new ArrayList<>();
        for (long mask = 0; mask < 1 << W; mask++) {
            for (long value = 0; value < 1 << W; value++) {
                if ((value & mask) == 0) out.add(new Tnum(value, mask));
            }
        }
        return out;
    }

    static long[] gamma(Tnum t) {
        List<Long> vs = new ArrayList<>();
        for (long v = 0; v < 1 << W; v++) if (t.contains(v)) vs.add(v);
        return vs.stream().mapToLong(Long::longValue).toArray();
    }

    /** The best tnum of a set of values: the known bits are those all values agree on. */
    static Tnum alpha(long[] vs) {
        long and = -1L;
        long or = 0;
        for (long v : vs) {
            and &= v;
            or |= v;
        }
        return new Tnum(and, and ^ or);
    }

    void check(BinaryOperator<Tnum> abs, LongBinaryOperator conc, boolean optimal) {
        List<Tnum> all = all();
        for (Tnum a : all) {
            long[] ga = gamma(a);
            for (Tnum b : all) {
                long[] gb = gamma(b);
                Tnum r = abs.apply(a, b);
                assertEquals(0, r.value() & r.mask(), () -> "value and mask overlap in " + r);
                long[] results = new long[ga.length * gb.length];
                int i = 0;
                for (long x : ga) for (long y : gb) results[i++] = conc.applyAsLong(x, y);
                for (long c : results) {
                    assertTrue(r.contains(c), () -> a + " op " + b + " = " + r + " misses " + c);
                }
                if (optimal) assertEquals(alpha(results), r, () -> a + " op " + b);
            }
        }
    }

    @Test void add() { check(Tnum::add, Long::sum, true); }
    @Test void sub() { check(Tnum::sub, (x, y) -> x - y, true); }
    @Test void and() { check(Tnum::and, (x, y) -> x & y, true); }
    @Test void or() { check(Tnum::or, (x, y) -> x | y, true); }
    @Test void xor() { check(Tnum::xor, (x, y) -> x ^ y, true); }
    @Test void mul() { check(Tnum::mul, (x, y) -> x * y, false); }

    @Test
    void intersectIsTheBestTnumOfTheCommonValues() {
        for (Tnum a : all()) {
            for (Tnum b : all()) {
                long[] common = java.util.Arrays.stream(gamma(a)).filter(b::contains).toArray();
                if (common.length == 0) continue;
                assertEquals(alpha(common), a.intersect(b));
            }
        }
    }

    @Test
    void unionHoldsBoth() {
        for (Tnum a : all()) for (Tnum b : all()) {
            Tnum u = a.union(b);
            assertTrue(u.contains(a) && u.contains(b), a + " u " + b);
        }
    }

    @Test
    void shiftsAndNeg() {
        for (Tnum a : all()) {
            for (int s = 0; s < 64; s++) {
                Tnum l = a.lshift(s), r = a.rshift(s), ar = a.arshift(s, 64);
                for (long v : gamma(a)) {
                    assertTrue(l.contains(v << s));
                    assertTrue(r.contains(v >>> s));
                    assertTrue(ar.contains(v >> s));
                }
            }
            // sign bit unknown at 32 bits: shift the pattern into the top
            Tnum hi = a.lshift(27);
            for (int s = 0; s < 32; s++) {
                Tnum ar32 = hi.arshift(s, 32);
                for (long v : gamma(a)) assertTrue(ar32.contains(((int) (v << 27) >> s) & 0xffffffffL));
            }
            for (long v : gamma(a)) assertTrue(a.neg().contains(-v));
        }
    }

    @Test
    void rangeHoldsTheRangeAndNoMore() {
        for (long min = 0; min < 40; min++) {
            for (long max = min; max < 40; max++) {
                Tnum t = Tnum.range(min, max);
                for (long v = min; v <= max; v++) assertTrue(t.contains(v));
            }
        }
        assertEquals(new Tnum(0, 0xff), Tnum.range(0, 255));
        assertEquals(new Tnum(0x10, 0xf), Tnum.range(0x10, 0x1f));
        assertEquals(Tnum.UNKNOWN, Tnum.range(0, -1L));
        assertEquals(Tnum.UNKNOWN, Tnum.range(1, 1L << 63));
        assertEquals(Tnum.constant(7), Tnum.range(7, 7));
    }

    @Test
    void containsCastSubregAndText() {
        assertTrue(Tnum.UNKNOWN.contains(Tnum.constant(5)));
        assertTrue(new Tnum(0, 0xff).contains(new Tnum(0x10, 0x0f)));
        assertTrue(!new Tnum(0, 0x0f).contains(new Tnum(0, 0xff)));
        assertEquals(new Tnum(0x34, 0xc0), new Tnum(0x1234, 0xffc0).cast(1));
        assertEquals(new Tnum(0x1234_0000_0000L, 0xf_0000_0000L), new Tnum(0x1234_0000_5678L, 0xf_0000_ff00L).clearSubreg());
        assertEquals(new Tnum(0x1234_0000_0007L, 0), new Tnum(0x1234_0000_5678L, 0).constSubreg(7));
        assertTrue(new Tnum(0x1234_0000_0000L, 0xf_0000_0000L).subregIsConst());
        assertTrue(new Tnum(8, 0x30).isAligned(8));
        assertTrue(!new Tnum(8, 0x34).isAligned(8));
        assertEquals("(0x0; 0xff)", new Tnum(0, 0xff).toString());
        assertEquals(new Tnum(0x3412, 0x00f0), new Tnum(0x1234, 0xf000).bswap(16));
    }
}
