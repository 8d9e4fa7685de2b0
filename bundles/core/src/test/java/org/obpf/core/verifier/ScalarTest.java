package org.obpf.core.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.obpf.api.insn.Opcodes.*;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Soundness of the scalar domain against concrete values: random sets of 64-bit values (biased
 * to the edges of every range the domain tracks) are abstracted, sometimes loosened, pushed
 * through an ALU op or a branch, and every concrete outcome must stay inside the result.
 */
class ScalarTest {
    static final long[] EDGES = {0, 1, 2, 3, 7, 8, 15, 16, 31, 32, 63, 64, 255, 256, 0x7fff, 0xffff, 0x7fffffffL,
            0x80000000L, 0xffffffffL, 0x100000000L, 0x1_7fffffffL, 0x1_80000000L, Long.MAX_VALUE, Long.MIN_VALUE,
            -1, -2, -8, -256, -0x80000000L, -0x80000001L, 0xffffffff_80000000L, 0xffffffff_7fffffffL};

    final Random rnd = new Random(20261123);

    long value() {
        return switch (rnd.nextInt(6)) {
            case 0 -> EDGES[rnd.nextInt(EDGES.length)];
            case 1 -> EDGES[rnd.nextInt(EDGES.length)] + rnd.nextInt(5) - 2;
            case 2 -> rnd.nextInt(64);
            case 3 -> rnd.nextInt(1 << 12) - (1 << 11);
            case 4 -> (long) rnd.nextInt() ;
            default -> rnd.nextLong();
        };
    }

    long[] values() {
        int n = 1 + rnd.nextInt(rnd.nextInt(4) == 0 ? 1 : 5);
        long base = value();
        long[] vs = new long[n];
        for (int i = 0; i < n; i++) vs[i] = rnd.nextBoolean() ? base + rnd.nextInt(9) - 4 : value();
        return vs;
    }

    /** The abstraction of a set, loosened at random (still holding every value). */
    Scalar abstraction(long[] vs) {
        long and = -1, or = 0;
        long smin = Long.MAX_VALUE, smax = Long.MIN_VALUE, umin = -1, umax = 0;
        int s32min = Integer.MAX_VALUE, s32max = Integer.MIN_VALUE, u32min = -1, u32max = 0;
        for (long v : vs) {
            and &= v;
            or |= v;
            smin = Math.min(smin, v);
            smax = Math.max(smax, v);
            umin = Scalar.umin(umin, v);
            umax = Scalar.umax(umax, v);
            s32min = Math.min(s32min, (int) v);
            s32max = Math.max(s32max, (int) v);
            u32min = Scalar.umin32(u32min, (int) v);
            u32max = Scalar.umax32(u32max, (int) v);
        }
        Tnum t = new Tnum(and, and ^ or);
        if (rnd.nextInt(4) == 0) t = t.union(Tnum.constant(rnd.nextLong() & 0xf0f));
        if (rnd.nextInt(3) == 0) smin = Long.MIN_VALUE;
        if (rnd.nextInt(3) == 0) umax = -1;
        if (rnd.nextInt(3) == 0) { s32min = Integer.MIN_VALUE; s32max = Integer.MAX_VALUE; }
        if (rnd.nextInt(3) == 0) { u32min = 0; u32max = -1; }
        Scalar s = new Scalar(t, smin, smax, umin, umax, s32min, s32max, u32min, u32max).sync();
        for (long v : vs) assertTrue(s.mayBe(v), () -> "abstraction lost " + v);
        return s;
    }

    static long concrete(int op, boolean alu32, long a, long b) {
        if (alu32) {
            int x = (int) a, y = (int) b;
            int r = switch (op) {
                case BPF_ADD -> x + y;
                case BPF_SUB -> x - y;
                case BPF_MUL -> x * y;
                case BPF_AND -> x & y;
                case BPF_OR -> x | y;
                case BPF_XOR -> x ^ y;
                case BPF_LSH -> x << (y & 31);
                case BPF_RSH -> x >>> (y & 31);
                case BPF_ARSH -> x >> (y & 31);
                case BPF_NEG -> -x;
                case BPF_DIV -> y == 0 ? 0 : Integer.divideUnsigned(x, y);
                default -> y == 0 ? x : Integer.remainderUnsigned(x, y);
            };
            return r & 0xffffffffL;
        }
        return switch (op) {
            case BPF_ADD -> a + b;
            case BPF_SUB -> a - b;
            case BPF_MUL -> a * b;
            case BPF_AND -> a & b;
            case BPF_OR -> a | b;
            case BPF_XOR -> a ^ b;
            case BPF_LSH -> a << (b & 63);
            case BPF_RSH -> a >>> (b & 63);
            case BPF_ARSH -> a >> (b & 63);
            case BPF_NEG -> -a;
            case BPF_DIV -> b == 0 ? 0 : Long.divideUnsigned(a, b);
            default -> b == 0 ? a : Long.remainderUnsigned(a, b);
        };
    }

    static final int[] ALU_OPS = {BPF_ADD, BPF_SUB, BPF_MUL, BPF_AND, BPF_OR, BPF_XOR, BPF_LSH, BPF_RSH, BPF_ARSH,
            BPF_NEG, BPF_DIV, BPF_MOD};

    @Test
    void everyAluOpIsSoundAt32And64Bits() {
        for (int round = 0; round < 20000; round++) {
            int op = ALU_OPS[round % ALU_OPS.length];
            boolean alu32 = (round / ALU_OPS.length) % 2 == 1;
            long[] xs = values();
            long[] ys = values();
            if ((op == BPF_LSH || op == BPF_RSH || op == BPF_ARSH) && rnd.nextInt(3) > 0) {
                ys = new long[] {rnd.nextInt(alu32 ? 32 : 64)}; // a known in-range shift, the precise case
            }
            Scalar a = abstraction(xs), b = abstraction(ys);
            Scalar r = Scalar.alu(op, alu32, a, b);
            for (long x : xs) for (long y : ys) {
                if ((op == BPF_LSH || op == BPF_RSH || op == BPF_ARSH) && !b.isConst()) continue;
                long c = concrete(op, alu32, x, y);
                int fop = op;
                assertTrue(r.mayBe(c), () -> "op " + fop + (alu32 ? " (32)" : "") + ": " + a + " , " + b + " -> " + r + " misses " + c
                        + " = " + x + " op " + y);
            }
        }
    }

    @Test
    void knownOperandsGiveKnownResults() {
        assertEquals(Scalar.constant(12), Scalar.alu(BPF_ADD, false, Scalar.constant(5), Scalar.constant(7)));
        assertEquals(Scalar.constant(0xffffffffL), Scalar.alu(BPF_SUB, true, Scalar.constant(0), Scalar.constant(1)));
        assertEquals(Scalar.constant(-1), Scalar.alu(BPF_SUB, false, Scalar.constant(0), Scalar.constant(1)));
        assertEquals(Scalar.constant(0x30), Scalar.alu(BPF_LSH, false, Scalar.constant(3), Scalar.constant(4)));
        assertEquals(Scalar.constant(-2), Scalar.alu(BPF_ARSH, false, Scalar.constant(-8), Scalar.constant(2)));
        assertEquals(Scalar.constant(6), Scalar.alu(BPF_AND, false, Scalar.constant(0xe), Scalar.constant(7)));
        assertEquals(Scalar.constant(-5), Scalar.alu(BPF_NEG, false, Scalar.constant(5), Scalar.constant(0)));
    }

    @Test
    void maskingBoundsAnUnknownValue() {
        Scalar r = Scalar.alu(BPF_AND, false, Scalar.UNKNOWN, Scalar.constant(0xff));
        assertEquals(0, r.umin());
        assertEquals(0xff, r.umax());
        assertEquals(0, r.smin());
        assertEquals(0xff, r.smax());
        assertEquals(new Tnum(0, 0xff), r.var());
        assertEquals("scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff))", r.toString());
        Scalar s = Scalar.alu(BPF_LSH, false, r, Scalar.constant(2));
        assertEquals(0x3fc, s.umax());
        assertEquals(new Tnum(0, 0x3fc), s.var());
        Scalar w = Scalar.alu(BPF_ADD, true, Scalar.UNKNOWN, Scalar.constant(0));
        assertEquals(0xffffffffL, w.umax());
        assertEquals(0, w.smin());
    }

    @Test
    void unknownShiftOrDivisionIsUnknown() {
        assertEquals(Scalar.UNKNOWN, Scalar.alu(BPF_LSH, false, Scalar.constant(1), Scalar.UNKNOWN));
        assertEquals(Scalar.UNKNOWN, Scalar.alu(BPF_DIV, false, Scalar.constant(100), Scalar.constant(3)));
        // 32-bit too: the kernel marks the whole register unknown before it would zero-extend
        assertEquals(Scalar.UNKNOWN, Scalar.alu(BPF_MOD, true, Scalar.constant(100), Scalar.constant(3)));
    }

    static final int[] CONDS = {BPF_JEQ, BPF_JNE, BPF_JSET, BPF_JGT, BPF_JGE, BPF_JLT, BPF_JLE, BPF_JSGT, BPF_JSGE,
            BPF_JSLT, BPF_JSLE, Scalar.JSET_NOT};

    static boolean holds(int op, boolean jmp32, long a, long b) {
        if (jmp32) {
            a = a & 0xffffffffL;
            b = b & 0xffffffffL;
            int sa = (int) a, sb = (int) b;
            return switch (op) {
                case BPF_JSGT -> sa > sb;
                case BPF_JSGE -> sa >= sb;
                case BPF_JSLT -> sa < sb;
                case BPF_JSLE -> sa <= sb;
                default -> holds(op, false, a, b);
            };
        }
        return switch (op) {
            case BPF_JEQ -> a == b;
            case BPF_JNE -> a != b;
            case BPF_JSET -> (a & b) != 0;
            case Scalar.JSET_NOT -> (a & b) == 0;
            case BPF_JGT -> Long.compareUnsigned(a, b) > 0;
            case BPF_JGE -> Long.compareUnsigned(a, b) >= 0;
            case BPF_JLT -> Long.compareUnsigned(a, b) < 0;
            case BPF_JLE -> Long.compareUnsigned(a, b) <= 0;
            case BPF_JSGT -> a > b;
            case BPF_JSGE -> a >= b;
            case BPF_JSLT -> a < b;
            default -> a <= b;
        };
    }

    @Test
    void branchesAreDecidedAndRefinedSoundlyOnBothSides() {
        for (int round = 0; round < 30000; round++) {
            int op = CONDS[round % CONDS.length];
            boolean jmp32 = (round / CONDS.length) % 2 == 1;
            long[] xs = values();
            long[] ys = rnd.nextBoolean() ? new long[] {value()} : values();
            Scalar a = abstraction(xs), b = abstraction(ys);
            if (op != Scalar.JSET_NOT) {
                int taken = Scalar.branchTaken(op, jmp32, a, b);
                for (long x : xs) for (long y : ys) {
                    boolean h = holds(op, jmp32, x, y);
                    if (taken == 1) assertTrue(h, () -> "decided taken but " + x + " " + op + " " + y + " fails: " + a + " " + b);
                    if (taken == 0) assertFalse(h, () -> "decided not taken but " + x + " " + op + " " + y + " holds: " + a + " " + b);
                }
            }
            Scalar.Pair p = Scalar.refine(op, jmp32, a, b);
            for (long x : xs) for (long y : ys) {
                if (!holds(op, jmp32, x, y)) continue;
                int fop = op;
                assertNotNull(p, () -> "refined away " + x + " op " + fop + " " + y + " from " + a + " , " + b);
                assertTrue(p.dst().mayBe(x) && p.src().mayBe(y),
                        () -> "op " + fop + (jmp32 ? "(32)" : "") + " lost " + x + "," + y + ": " + a + " , " + b + " -> " + p);
            }
        }
    }

    @Test
    void branchRefinementNarrowsTheRange() {
        Scalar byteVal = Scalar.alu(BPF_AND, false, Scalar.UNKNOWN, Scalar.constant(0xff));
        Scalar.Pair lt = Scalar.refine(BPF_JLT, false, byteVal, Scalar.constant(16));
        assertEquals(15, lt.dst().umax());
        assertEquals(new Tnum(0, 0xf), lt.dst().var());
        Scalar.Pair ge = Scalar.refine(Scalar.negate(BPF_JLT), false, byteVal, Scalar.constant(16));
        assertEquals(16, ge.dst().umin());
        Scalar.Pair sgt = Scalar.refine(BPF_JSGT, false, Scalar.UNKNOWN, Scalar.constant(-1));
        assertEquals(0, sgt.dst().smin());
        assertEquals(0, sgt.dst().umin());
        assertEquals(Long.MAX_VALUE, sgt.dst().umax());
        Scalar.Pair eq = Scalar.refine(BPF_JEQ, false, Scalar.UNKNOWN, Scalar.constant(42));
        assertEquals(Scalar.constant(42), eq.dst());
        assertNull(Scalar.refine(BPF_JGT, false, byteVal, Scalar.constant(255)));
        assertEquals(0, Scalar.branchTaken(BPF_JGT, false, byteVal, Scalar.constant(255)));
        assertEquals(1, Scalar.branchTaken(BPF_JLE, true, byteVal, Scalar.constant(255)));
        assertEquals(-1, Scalar.branchTaken(BPF_JEQ, false, byteVal, Scalar.constant(3)));
        assertEquals(0, Scalar.branchTaken(BPF_JEQ, false, byteVal, Scalar.constant(256)));
        assertEquals(1, Scalar.branchTaken(BPF_JSET, false, Scalar.constant(6), Scalar.constant(2)));
        // 32-bit compare refines the 64-bit value of a zero-extended operand
        Scalar w = Scalar.UNKNOWN.zext32();
        Scalar.Pair w32 = Scalar.refine(BPF_JLT, true, w, Scalar.constant(10));
        assertEquals(9, w32.dst().umax());
    }

    @Test
    void syncKeepsTheViewsConsistent() {
        Scalar s = Scalar.unsignedRange(0x1_0000_0005L, 0x1_0000_0010L);
        assertEquals(5, s.u32min());
        assertEquals(16, s.u32max());
        assertEquals(0x1_0000_0005L, s.smin());
        Scalar neg = Scalar.signedRange(-4, -1);
        assertEquals(-4L, neg.umin());
        assertEquals(-1L, neg.umax());
        assertEquals(-4, neg.s32min());
        assertTrue(Scalar.UNKNOWN.includes(neg));
        assertFalse(neg.includes(Scalar.UNKNOWN));
        assertEquals("-4", Scalar.constant(-4).toString());
    }

    @Test
    void extensions() {
        Scalar b = Scalar.alu(BPF_AND, false, Scalar.UNKNOWN, Scalar.constant(0xff));
        Scalar sx = b.signExtend(8);
        assertEquals(-128, sx.smin());
        assertEquals(127, sx.smax());
        assertEquals(Scalar.constant(-1), Scalar.constant(0xff).signExtend(8));
        assertEquals(0xffff, Scalar.UNKNOWN.truncate(2).umax());
        for (int i = 0; i < 2000; i++) {
            long[] xs = values();
            Scalar a = abstraction(xs);
            for (int bits : new int[] {8, 16, 32}) {
                Scalar e = a.signExtend(bits);
                Scalar t = a.truncate(bits / 8);
                for (long x : xs) {
                    assertTrue(e.mayBe(x << (64 - bits) >> (64 - bits)), a + " sx" + bits + " " + x);
                    assertTrue(t.mayBe(bits == 64 ? x : x & ((1L << bits) - 1)), a + " trunc" + bits + " " + x);
                }
            }
        }
    }
}
