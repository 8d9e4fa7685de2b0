package org.obpf.core.verifier;

import static org.obpf.api.insn.Opcodes.*;

/**
 * What the verifier knows about a 64-bit value: a {@link Tnum} and the signed and unsigned
 * 64-bit and 32-bit ranges ({@code var_off}, {@code smin_value .. u32_max_value} of the kernel's
 * {@code struct bpf_reg_state}). Unsigned 32-bit bounds are kept in {@code int}s read unsigned.
 *
 * <p>Immutable. The transfer functions are the kernel's: {@link #alu} is
 * {@code adjust_scalar_min_max_vals}, {@link #branchTaken} is {@code is_scalar_branch_taken},
 * {@link #refine} is {@code regs_refine_cond_op} followed by {@code reg_bounds_sync}; every result
 * passes through {@link #sync()} ({@code reg_bounds_sync}) so the five views stay consistent.
 */
public record Scalar(Tnum var, long smin, long smax, long umin, long umax,
                     int s32min, int s32max, int u32min, int u32max) {

    public static final Scalar UNKNOWN = new Scalar(Tnum.UNKNOWN, Long.MIN_VALUE, Long.MAX_VALUE, 0, -1L,
            Integer.MIN_VALUE, Integer.MAX_VALUE, 0, -1);

    /** __mark_reg_known. */
    public static Scalar constant(long v) {
        return new Scalar(Tnum.constant(v), v, v, v, v, (int) v, (int) v, (int) v, (int) v);
    }

    /** An unsigned range [min, max] (both inclusive), synced. */
    public static Scalar unsignedRange(long min, long max) {
        Work w = new Work(UNKNOWN);
        w.umin = min;
        w.umax = max;
        w.sync();
        return w.done();
    }

    /** A signed range [min, max], synced. */
    public static Scalar signedRange(long min, long max) {
        Work w = new Work(UNKNOWN);
        w.smin = min;
        w.smax = max;
        w.sync();
        return w.done();
    }

    /** Signed 64-bit and 32-bit bounds both [min, max] (do_refine_retval_range's form), synced. */
    public static Scalar signedRangeBoth(long min, long max) {
        Work w = new Work(UNKNOWN);
        w.smin = min;
        w.smax = max;
        w.s32min = (int) min;
        w.s32max = (int) max;
        w.sync();
        return w.done();
    }

    public boolean isConst() {
        return var.isConst();
    }

    /** True when the low 32 bits are known. */
    public boolean isConst32() {
        return var.subregIsConst();
    }

    public long constValue() {
        return var.value();
    }

    /** True when nothing at all is known. */
    public boolean isUnknown() {
        return equals(UNKNOWN);
    }

    /** True when the value may be {@code v}. */
    public boolean mayBe(long v) {
        return var.contains(v) && v >= smin && v <= smax && Long.compareUnsigned(v, umin) >= 0
                && Long.compareUnsigned(v, umax) <= 0 && (int) v >= s32min && (int) v <= s32max
                && Integer.compareUnsigned((int) v, u32min) >= 0 && Integer.compareUnsigned((int) v, u32max) <= 0;
    }

    /** range_within plus tnum_in: every value of {@code cur} is a value of this (regsafe for scalars). */
    public boolean includes(Scalar cur) {
        return smin <= cur.smin && smax >= cur.smax
                && Long.compareUnsigned(umin, cur.umin) <= 0 && Long.compareUnsigned(umax, cur.umax) >= 0
                && s32min <= cur.s32min && s32max >= cur.s32max
                && Integer.compareUnsigned(u32min, cur.u32min) <= 0 && Integer.compareUnsigned(u32max, cur.u32max) >= 0
                && var.contains(cur.var);
    }

    /** True when some range is empty: no concrete value fits (a branch that cannot be taken). */
    public boolean isEmpty() {
        return smin > smax || Long.compareUnsigned(umin, umax) > 0 || s32min > s32max
                || Integer.compareUnsigned(u32min, u32max) > 0
                || !var.contains(umin) && Long.compareUnsigned(umin, umax) == 0;
    }

    /** reg_bounds_sync. */
    public Scalar sync() {
        Work w = new Work(this);
        w.sync();
        return w.done();
    }

    /** zext_32_to_64: the value's low 32 bits, zero-extended (what a 32-bit ALU op leaves). */
    public Scalar zext32() {
        Work w = new Work(this);
        w.zext32();
        w.sync();
        return w.done();
    }

    /** Truncation to {@code size} bytes (a narrow load or le16/le32), zero-extended. */
    public Scalar truncate(int size) {
        if (size >= 8) return this;
        if (size == 4) return zext32();
        long max = (1L << (size * 8)) - 1;
        if (Long.compareUnsigned(umax, max) <= 0) return this;
        Work w = new Work(UNKNOWN);
        w.var = var.cast(size);
        w.umin = 0;
        w.umax = max;
        w.sync();
        return w.done();
    }

    /** Sign extension of the low {@code bits} bits (movsx, ldxs), kept exact for a known value. */
    public Scalar signExtend(int bits) {
        if (bits >= 64) return this;
        if (isConst()) return constant(var.value() << (64 - bits) >> (64 - bits));
        long half = 1L << (bits - 1);
        // Within [0, 2^(bits-1)) the value does not change.
        if (Long.compareUnsigned(umax, half) < 0) return this;
        return signedRange(-half, half - 1);
    }

    /** The 32-bit view of a value for a 32-bit operation: only the low half matters. */
    public Scalar low32() {
        return zext32();
    }

    // ---------------------------------------------------------------- ALU

    /**
     * adjust_scalar_min_max_vals for a scalar destination and source: {@code op} is the BPF_OP
     * ({@link org.obpf.api.insn.Opcodes#BPF_ADD} ...; BPF_NEG ignores {@code src}), {@code alu32}
     * for the BPF_ALU class. Division, modulo and shifts whose amount is not a known value below
     * the width give an unknown result (for 32-bit ops too, as the kernel marks the whole register unknown before
     * zero-extending); so do byte swaps other
     * than a little-endian conversion.
     */
    public static Scalar alu(int op, boolean alu32, Scalar dst, Scalar src) {
        int bitness = alu32 ? 32 : 64;
        boolean srcConst = alu32
                ? src.var.subregIsConst() && src.s32min == src.s32max && src.u32min == src.u32max
                : src.var.isConst() && src.smin == src.smax && src.umin == src.umax;
        boolean safe = switch (op) {
            case BPF_ADD, BPF_SUB, BPF_NEG, BPF_AND, BPF_XOR, BPF_OR, BPF_MUL -> true;
            case BPF_LSH, BPF_RSH, BPF_ARSH -> srcConst && Long.compareUnsigned(alu32 ? src.u32max & 0xffffffffL : src.umax, bitness) < 0;
            default -> false;
        };
        // __mark_reg_unknown before any zero-extension: the kernel forgets the upper half too
        if (!safe) return UNKNOWN;
        Work d = new Work(dst);
        switch (op) {
            case BPF_ADD -> {
                d.add32(src);
                d.add64(src);
                d.var = dst.var.add(src.var);
            }
            case BPF_SUB -> {
                d.sub32(src);
                d.sub64(src);
                d.var = dst.var.sub(src.var);
            }
            case BPF_NEG -> {
                d = new Work(constant(0));
                d.sub32(dst);
                d.sub64(dst);
                d.var = dst.var.neg();
            }
            case BPF_MUL -> {
                d.var = dst.var.mul(src.var);
                d.mul32(src);
                d.mul64(src);
            }
            case BPF_AND -> {
                d.var = dst.var.and(src.var);
                d.and32(src);
                d.and64(src);
            }
            case BPF_OR -> {
                d.var = dst.var.or(src.var);
                d.or32(src);
                d.or64(src);
            }
            case BPF_XOR -> {
                d.var = dst.var.xor(src.var);
                d.xor32(src);
                d.xor64(src);
            }
            case BPF_LSH -> {
                if (alu32) d.lsh32(src); else d.lsh64(src);
            }
            case BPF_RSH -> {
                if (alu32) d.rsh32(src); else d.rsh64(src);
            }
            default -> { // BPF_ARSH
                if (alu32) d.arsh32(src); else d.arsh64(src);
            }
        }
        if (alu32) d.zext32();
        d.sync();
        return d.done();
    }

    // ---------------------------------------------------------------- branches

    /** Result of {@link #refine}: the two operands' knowledge on one side of a branch. */
    public record Pair(Scalar dst, Scalar src) {}

    /**
     * is_scalar_branch_taken: 1 when {@code dst op src} holds for every value, 0 when for none,
     * -1 when it depends. {@code op} is a BPF_OP of a conditional jump.
     */
    public static int branchTaken(int op, boolean jmp32, Scalar r1, Scalar r2) {
        Tnum t1 = jmp32 ? r1.var.subreg() : r1.var;
        Tnum t2 = jmp32 ? r2.var.subreg() : r2.var;
        long umin1 = jmp32 ? r1.u32min & 0xffffffffL : r1.umin;
        long umax1 = jmp32 ? r1.u32max & 0xffffffffL : r1.umax;
        long smin1 = jmp32 ? r1.s32min : r1.smin;
        long smax1 = jmp32 ? r1.s32max : r1.smax;
        long umin2 = jmp32 ? r2.u32min & 0xffffffffL : r2.umin;
        long umax2 = jmp32 ? r2.u32max & 0xffffffffL : r2.umax;
        long smin2 = jmp32 ? r2.s32min : r2.smin;
        long smax2 = jmp32 ? r2.s32max : r2.smax;
        switch (op) {
            case BPF_JEQ, BPF_JNE -> {
                int eq;
                if (t1.isConst() && t2.isConst()) eq = t1.value() == t2.value() ? 1 : 0;
                else if (ugt(umin1, umax2) || ult(umax1, umin2) || smin1 > smax2 || smax1 < smin2) eq = 0;
                else if (((t1.value() ^ t2.value()) & ~(t1.mask() | t2.mask())) != 0) eq = 0; // a known bit differs
                else if (!jmp32 && (Integer.compareUnsigned(r1.u32min, r2.u32max) > 0
                        || Integer.compareUnsigned(r1.u32max, r2.u32min) < 0
                        || r1.s32min > r2.s32max || r1.s32max < r2.s32min)) eq = 0;
                else eq = -1;
                return eq < 0 ? -1 : op == BPF_JEQ ? eq : 1 - eq;
            }
            case BPF_JSET -> {
                if (!t2.isConst()) {
                    Tnum t = t1; t1 = t2; t2 = t;
                }
                if (!t2.isConst()) return -1;
                if ((~t1.mask() & t1.value() & t2.value()) != 0) return 1;
                if (((t1.mask() | t1.value()) & t2.value()) == 0) return 0;
                return -1;
            }
            case BPF_JGT -> { return ugt(umin1, umax2) ? 1 : ule(umax1, umin2) ? 0 : -1; }
            case BPF_JSGT -> { return smin1 > smax2 ? 1 : smax1 <= smin2 ? 0 : -1; }
            case BPF_JLT -> { return ult(umax1, umin2) ? 1 : uge(umin1, umax2) ? 0 : -1; }
            case BPF_JSLT -> { return smax1 < smin2 ? 1 : smin1 >= smax2 ? 0 : -1; }
            case BPF_JGE -> { return uge(umin1, umax2) ? 1 : ult(umax1, umin2) ? 0 : -1; }
            case BPF_JSGE -> { return smin1 >= smax2 ? 1 : smax1 < smin2 ? 0 : -1; }
            case BPF_JLE -> { return ule(umax1, umin2) ? 1 : ugt(umin1, umax2) ? 0 : -1; }
            case BPF_JSLE -> { return smax1 <= smin2 ? 1 : smin1 > smax2 ? 0 : -1; }
            default -> throw new IllegalArgumentException("not a conditional jump: " + op);
        }
    }

    /** Marker for the negation of BPF_JSET (the kernel's {@code BPF_JSET | BPF_X} in rev_opcode). */
    public static final int JSET_NOT = BPF_JSET | BPF_X;

    /** rev_opcode: the condition that holds on the fall-through side. */
    public static int negate(int op) {
        return switch (op) {
            case BPF_JEQ -> BPF_JNE;
            case BPF_JNE -> BPF_JEQ;
            case BPF_JSET -> JSET_NOT;
            case JSET_NOT -> BPF_JSET;
            case BPF_JGT -> BPF_JLE;
            case BPF_JLE -> BPF_JGT;
            case BPF_JGE -> BPF_JLT;
            case BPF_JLT -> BPF_JGE;
            case BPF_JSGT -> BPF_JSLE;
            case BPF_JSLE -> BPF_JSGT;
            case BPF_JSGE -> BPF_JSLT;
            case BPF_JSLT -> BPF_JSGE;
            default -> throw new IllegalArgumentException("not a conditional jump: " + op);
        };
    }

    /** flip_opcode: the same condition with the operands swapped. */
    public static int flip(int op) {
        return switch (op) {
            case BPF_JGT -> BPF_JLT;
            case BPF_JLT -> BPF_JGT;
            case BPF_JGE -> BPF_JLE;
            case BPF_JLE -> BPF_JGE;
            case BPF_JSGT -> BPF_JSLT;
            case BPF_JSLT -> BPF_JSGT;
            case BPF_JSGE -> BPF_JSLE;
            case BPF_JSLE -> BPF_JSGE;
            default -> op;
        };
    }

    /**
     * What is known of both operands when {@code r1 op r2} holds ({@code op} may be
     * {@link #JSET_NOT}); null when no pair of values satisfies it.
     */
    public static Pair refine(int op, boolean jmp32, Scalar r1, Scalar r2) {
        Work a = new Work(r1);
        Work b = new Work(r2);
        if (!refineCond(a, b, op, jmp32)) return null;
        a.sync();
        b.sync();
        Scalar x = a.done();
        Scalar y = b.done();
        if (x.isEmpty() || y.isEmpty()) return null;
        return new Pair(x, y);
    }

    private static boolean refineCond(Work r1, Work r2, int op, boolean jmp32) {
        switch (op) {
            case BPF_JEQ -> {
                if (jmp32) {
                    r1.u32min = umax32(r1.u32min, r2.u32min);
                    r1.u32max = umin32(r1.u32max, r2.u32max);
                    r1.s32min = Math.max(r1.s32min, r2.s32min);
                    r1.s32max = Math.min(r1.s32max, r2.s32max);
                    r2.u32min = r1.u32min;
                    r2.u32max = r1.u32max;
                    r2.s32min = r1.s32min;
                    r2.s32max = r1.s32max;
                    Tnum t = r1.var.subreg().intersect(r2.var.subreg());
                    if (!consistent(r1.var.subreg(), r2.var.subreg())) return false;
                    r1.var = r1.var.withSubreg(t);
                    r2.var = r2.var.withSubreg(t);
                } else {
                    r1.umin = umax(r1.umin, r2.umin);
                    r1.umax = umin(r1.umax, r2.umax);
                    r1.smin = Math.max(r1.smin, r2.smin);
                    r1.smax = Math.min(r1.smax, r2.smax);
                    r2.umin = r1.umin;
                    r2.umax = r1.umax;
                    r2.smin = r1.smin;
                    r2.smax = r1.smax;
                    if (!consistent(r1.var, r2.var)) return false;
                    r1.var = r1.var.intersect(r2.var);
                    r2.var = r1.var;
                }
            }
            case BPF_JNE -> {
                if (!r2.isConst(jmp32)) {
                    Work t = r1; r1 = r2; r2 = t;
                }
                if (!r2.isConst(jmp32)) return true;
                long val = r2.var.value();
                if (jmp32) {
                    if (r1.isConst(true) && (int) r1.var.value() == (int) val) return false;
                    if (r1.u32min == (int) val) r1.u32min++;
                    if (r1.u32max == (int) val) r1.u32max--;
                    if (r1.s32min == (int) val) r1.s32min++;
                    if (r1.s32max == (int) val) r1.s32max--;
                } else {
                    if (r1.isConst(false) && r1.var.value() == val) return false;
                    if (r1.umin == val) r1.umin++;
                    if (r1.umax == val) r1.umax--;
                    if (r1.smin == val) r1.smin++;
                    if (r1.smax == val) r1.smax--;
                }
            }
            case BPF_JSET -> {
                if (!r2.isConst(jmp32)) {
                    Work t = r1; r1 = r2; r2 = t;
                }
                if (!r2.isConst(jmp32)) return true;
                long val = jmp32 ? r2.var.value() & 0xffffffffL : r2.var.value();
                if (val == 0) return false;
                // Only a single tested bit tells which bit is set.
                if (Long.bitCount(val) != 1) return true;
                if (jmp32) r1.var = r1.var.withSubreg(r1.var.subreg().or(Tnum.constant(val)));
                else r1.var = r1.var.or(Tnum.constant(val));
            }
            case JSET_NOT -> {
                if (!r2.isConst(jmp32)) {
                    Work t = r1; r1 = r2; r2 = t;
                }
                if (!r2.isConst(jmp32)) return true;
                long val = jmp32 ? r2.var.value() & 0xffffffffL : r2.var.value();
                if (jmp32) r1.var = r1.var.withSubreg(r1.var.subreg().and(Tnum.constant(~val)));
                else r1.var = r1.var.and(Tnum.constant(~val));
            }
            case BPF_JLE -> {
                if (jmp32) {
                    r1.u32max = umin32(r1.u32max, r2.u32max);
                    r2.u32min = umax32(r1.u32min, r2.u32min);
                } else {
                    r1.umax = umin(r1.umax, r2.umax);
                    r2.umin = umax(r1.umin, r2.umin);
                }
            }
            case BPF_JLT -> {
                if (jmp32) {
                    if (r2.u32max == 0 || r1.u32min == -1) return false;
                    r1.u32max = umin32(r1.u32max, r2.u32max - 1);
                    r2.u32min = umax32(r1.u32min + 1, r2.u32min);
                } else {
                    if (r2.umax == 0 || r1.umin == -1L) return false;
                    r1.umax = umin(r1.umax, r2.umax - 1);
                    r2.umin = umax(r1.umin + 1, r2.umin);
                }
            }
            case BPF_JSLE -> {
                if (jmp32) {
                    r1.s32max = Math.min(r1.s32max, r2.s32max);
                    r2.s32min = Math.max(r1.s32min, r2.s32min);
                } else {
                    r1.smax = Math.min(r1.smax, r2.smax);
                    r2.smin = Math.max(r1.smin, r2.smin);
                }
            }
            case BPF_JSLT -> {
                if (jmp32) {
                    if (r2.s32max == Integer.MIN_VALUE || r1.s32min == Integer.MAX_VALUE) return false;
                    r1.s32max = Math.min(r1.s32max, r2.s32max - 1);
                    r2.s32min = Math.max(r1.s32min + 1, r2.s32min);
                } else {
                    if (r2.smax == Long.MIN_VALUE || r1.smin == Long.MAX_VALUE) return false;
                    r1.smax = Math.min(r1.smax, r2.smax - 1);
                    r2.smin = Math.max(r1.smin + 1, r2.smin);
                }
            }
            case BPF_JGE, BPF_JGT, BPF_JSGE, BPF_JSGT -> {
                return refineCond(r2, r1, flip(op), jmp32);
            }
            default -> throw new IllegalArgumentException("not a conditional jump: " + op);
        }
        return true;
    }

    /** Two tnums describing one value cannot disagree on a known bit. */
    private static boolean consistent(Tnum a, Tnum b) {
        return ((a.value() ^ b.value()) & ~(a.mask() | b.mask())) == 0;
    }

    // ---------------------------------------------------------------- printing

    /** print_scalar_ranges: the bounds that say something, equal ones merged ({@code smin=umin=0}). */
    void appendRanges(StringBuilder sb) {
        String[] names = {"smin", "smax", "umin", "umax", "smin32", "smax32", "umin32", "umax32"};
        long[] vals = {smin, smax, umin, umax, s32min, s32max, u32min & 0xffffffffL, u32max & 0xffffffffL};
        boolean[] omit = {smin == Long.MIN_VALUE, smax == Long.MAX_VALUE, umin == 0, umax == -1L,
                s32min == Integer.MIN_VALUE, s32max == Integer.MAX_VALUE, u32min == 0, u32max == -1};
        char last = sb.charAt(sb.length() - 1);
        String sep = last == '(' || last == ',' ? "" : ",";
        for (int i = 0; i < 8; i++) {
            if (omit[i]) continue;
            boolean neg1 = names[i].charAt(0) == 's' && vals[i] < 0;
            sb.append(sep).append(names[i]).append('=');
            sep = ",";
            for (int j = i + 2; j < 8; j += 2) {
                if (omit[j]) continue;
                boolean neg2 = names[j].charAt(0) == 's' && vals[j] < 0;
                if (neg1 != neg2 || vals[i] != vals[j]) continue;
                sb.append(names[j]).append('=');
                omit[j] = true;
            }
            sb.append(neg1 ? snum(vals[i]) : unum(vals[i]));
        }
        if (!var.isUnknown()) {
            sb.append(sep).append("var_off=").append(var);
        }
    }

    /** verbose_unum: decimal when small, hex otherwise. */
    static String unum(long v) {
        return Long.compareUnsigned(v, 0xffff) <= 0 ? Long.toString(v) : "0x" + Long.toHexString(v);
    }

    static String snum(long v) {
        if (v >= -0xffff && v <= 0xffff) return Long.toString(v);
        return v < 0 ? "-0x" + Long.toHexString(-v) : "0x" + Long.toHexString(v);
    }

    /** The kernel's scalar text: a known value, or {@code scalar(...)}. */
    @Override
    public String toString() {
        if (isConst()) return snumConst(var.value());
        StringBuilder sb = new StringBuilder("scalar(");
        appendRanges(sb);
        return sb.append(')').toString();
    }

    static String snumConst(long v) {
        return snum(v);
    }

    // ---------------------------------------------------------------- unsigned helpers

    static boolean ult(long a, long b) { return Long.compareUnsigned(a, b) < 0; }
    static boolean ule(long a, long b) { return Long.compareUnsigned(a, b) <= 0; }
    static boolean ugt(long a, long b) { return Long.compareUnsigned(a, b) > 0; }
    static boolean uge(long a, long b) { return Long.compareUnsigned(a, b) >= 0; }
    static long umin(long a, long b) { return ult(a, b) ? a : b; }
    static long umax(long a, long b) { return ugt(a, b) ? a : b; }
    static int umin32(int a, int b) { return Integer.compareUnsigned(a, b) < 0 ? a : b; }
    static int umax32(int a, int b) { return Integer.compareUnsigned(a, b) > 0 ? a : b; }

    /** The mutable register of the kernel's helpers, used only inside one transfer function. */
    private static final class Work {
        Tnum var;
        long smin, smax, umin, umax;
        int s32min, s32max, u32min, u32max;

        Work(Scalar s) {
            var = s.var;
            smin = s.smin;
            smax = s.smax;
            umin = s.umin;
            umax = s.umax;
            s32min = s.s32min;
            s32max = s.s32max;
            u32min = s.u32min;
            u32max = s.u32max;
        }

        Scalar done() {
            return new Scalar(var, smin, smax, umin, umax, s32min, s32max, u32min, u32max);
        }

        boolean isConst(boolean is32) {
            return is32 ? var.subregIsConst() : var.isConst();
        }

        void unbounded32() {
            s32min = Integer.MIN_VALUE;
            s32max = Integer.MAX_VALUE;
            u32min = 0;
            u32max = -1;
        }

        void unbounded64() {
            smin = Long.MIN_VALUE;
            smax = Long.MAX_VALUE;
            umin = 0;
            umax = -1L;
        }

        void known32(int v) {
            var = var.constSubreg(v);
            s32min = s32max = u32min = u32max = v;
        }

        void known64(long v) {
            var = Tnum.constant(v);
            smin = smax = umin = umax = v;
            s32min = s32max = u32min = u32max = (int) v;
        }

        void updateBounds32() {
            Tnum v32 = var.subreg();
            s32min = Math.max(s32min, (int) (v32.value() | (v32.mask() & 0x80000000L)));
            s32max = Math.min(s32max, (int) (v32.value() | (v32.mask() & 0x7fffffffL)));
            u32min = umax32(u32min, (int) v32.value());
            u32max = umin32(u32max, (int) (v32.value() | v32.mask()));
        }

        void updateBounds64() {
            smin = Math.max(smin, var.value() | (var.mask() & Long.MIN_VALUE));
            smax = Math.min(smax, var.value() | (var.mask() & Long.MAX_VALUE));
            umin = umax(umin, var.value());
            umax = Scalar.umin(umax, var.value() | var.mask());
        }

        void updateBounds() {
            updateBounds32();
            updateBounds64();
        }

        void deduce32() {
            if ((umin >>> 32) == (umax >>> 32)) {
                u32min = umax32(u32min, (int) umin);
                u32max = umin32(u32max, (int) umax);
                if ((int) umin <= (int) umax) {
                    s32min = Math.max(s32min, (int) umin);
                    s32max = Math.min(s32max, (int) umax);
                }
            }
            if ((smin >> 32) == (smax >> 32)) {
                if (Integer.compareUnsigned((int) smin, (int) smax) <= 0) {
                    u32min = umax32(u32min, (int) smin);
                    u32max = umin32(u32max, (int) smax);
                }
                if ((int) smin <= (int) smax) {
                    s32min = Math.max(s32min, (int) smin);
                    s32max = Math.min(s32max, (int) smax);
                }
            }
            // Upper halves two consecutive numbers, lower halves crossing from negative to positive.
            if ((int) (umin >>> 32) + 1 == (int) (umax >>> 32) && (int) umin < 0 && (int) umax >= 0) {
                s32min = Math.max(s32min, (int) umin);
                s32max = Math.min(s32max, (int) umax);
            }
            if ((int) (smin >>> 32) + 1 == (int) (smax >>> 32) && (int) smin < 0 && (int) smax >= 0) {
                s32min = Math.max(s32min, (int) smin);
                s32max = Math.min(s32max, (int) smax);
            }
            if (u32min <= u32max) { // the u32 range does not cross the s32 sign boundary
                s32min = Math.max(s32min, u32min);
                s32max = Math.min(s32max, u32max);
            }
            if (Integer.compareUnsigned(s32min, s32max) <= 0) {
                u32min = umax32(s32min, u32min);
                u32max = umin32(s32max, u32max);
            }
        }

        void deduce64() {
            if (umin <= umax) { // as signed: the u64 range does not cross the sign boundary
                smin = Math.max(smin, umin);
                smax = Math.min(smax, umax);
            }
            if (ule(smin, smax)) {
                umin = umax(smin, umin);
                umax = Scalar.umin(smax, umax);
            } else {
                // The s64 range wraps: [smin, U64_MAX] and [0, smax] in unsigned terms.
                if (ult(umax, smin)) {
                    smin = umin;
                    umax = Scalar.umin(umax, smax);
                } else if (ult(smax, umin)) {
                    smax = umax;
                    umin = umax(umin, smin);
                }
            }
        }

        void deduceMixed() {
            long u32lo = u32min & 0xffffffffL;
            long u32hi = u32max & 0xffffffffL;
            umin = umax(umin, (umin & ~0xffffffffL) | u32lo);
            umax = Scalar.umin(umax, (umax & ~0xffffffffL) | u32hi);
            smin = Math.max(smin, (smin & ~0xffffffffL) | u32lo);
            smax = Math.min(smax, (smax & ~0xffffffffL) | u32hi);
            if (s32min >= 0 && s32max >= 0) {
                umin = umax(umin, (umin & ~0xffffffffL) | s32min);
                umax = Scalar.umin(umax, (umax & ~0xffffffffL) | s32max);
                smin = Math.max(smin, (smin & ~0xffffffffL) | s32min);
                smax = Math.min(smax, (smax & ~0xffffffffL) | s32max);
            }
        }

        void deduce() {
            deduce32();
            deduce64();
            deduceMixed();
        }

        void boundOffset() {
            Tnum v64 = var.intersect(Tnum.range(umin, umax));
            Tnum v32 = v64.subreg().intersect(Tnum.range(u32min & 0xffffffffL, u32max & 0xffffffffL));
            var = v64.clearSubreg().or(v32);
        }

        void sync() {
            updateBounds();
            deduce();
            deduce();
            boundOffset();
            updateBounds();
        }

        void zext32() {
            var = var.subreg();
            umin = u32min & 0xffffffffL;
            umax = u32max & 0xffffffffL;
            smax = s32min >= 0 && s32max >= 0 ? s32max : 0xffffffffL;
            smin = s32min >= 0 ? s32min : 0;
        }

        // scalar32_min_max_* and scalar_min_max_*

        void add32(Scalar s) {
            long lo = (long) s32min + s.s32min;
            long hi = (long) s32max + s.s32max;
            if (lo != (int) lo || hi != (int) hi) {
                s32min = Integer.MIN_VALUE;
                s32max = Integer.MAX_VALUE;
            } else {
                s32min = (int) lo;
                s32max = (int) hi;
            }
            long ulo = (u32min & 0xffffffffL) + (s.u32min & 0xffffffffL);
            long uhi = (u32max & 0xffffffffL) + (s.u32max & 0xffffffffL);
            if (ulo > 0xffffffffL || uhi > 0xffffffffL) {
                u32min = 0;
                u32max = -1;
            } else {
                u32min = (int) ulo;
                u32max = (int) uhi;
            }
        }

        void add64(Scalar s) {
            long lo = smin + s.smin;
            long hi = smax + s.smax;
            if (((smin ^ lo) & (s.smin ^ lo)) < 0 || ((smax ^ hi) & (s.smax ^ hi)) < 0) {
                smin = Long.MIN_VALUE;
                smax = Long.MAX_VALUE;
            } else {
                smin = lo;
                smax = hi;
            }
            long ulo = umin + s.umin;
            long uhi = umax + s.umax;
            if (ult(ulo, umin) || ult(uhi, umax)) {
                umin = 0;
                umax = -1L;
            } else {
                umin = ulo;
                umax = uhi;
            }
        }

        void sub32(Scalar s) {
            long lo = (long) s32min - s.s32max;
            long hi = (long) s32max - s.s32min;
            if (lo != (int) lo || hi != (int) hi) {
                s32min = Integer.MIN_VALUE;
                s32max = Integer.MAX_VALUE;
            } else {
                s32min = (int) lo;
                s32max = (int) hi;
            }
            if (Integer.compareUnsigned(u32min, s.u32max) < 0) {
                u32min = 0;
                u32max = -1;
            } else {
                u32min -= s.u32max;
                u32max -= s.u32min;
            }
        }

        void sub64(Scalar s) {
            long lo = smin - s.smax;
            long hi = smax - s.smin;
            if (((smin ^ s.smax) & (smin ^ lo)) < 0 || ((smax ^ s.smin) & (smax ^ hi)) < 0) {
                smin = Long.MIN_VALUE;
                smax = Long.MAX_VALUE;
            } else {
                smin = lo;
                smax = hi;
            }
            if (ult(umin, s.umax)) {
                umin = 0;
                umax = -1L;
            } else {
                umin -= s.umax;
                umax -= s.umin;
            }
        }

        void mul32(Scalar s) {
            if (s.s32min < 0 || s32min < 0) {
                unbounded32();
                return;
            }
            if ((s.u32max & 0xffffffffL) > 0xffff || (u32max & 0xffffffffL) > 0xffff) {
                unbounded32();
                return;
            }
            u32min *= s.u32min;
            u32max *= s.u32max;
            if ((u32max & 0xffffffffL) > Integer.MAX_VALUE) {
                s32min = Integer.MIN_VALUE;
                s32max = Integer.MAX_VALUE;
            } else {
                s32min = u32min;
                s32max = u32max;
            }
        }

        void mul64(Scalar s) {
            if (s.smin < 0 || smin < 0) {
                unbounded64();
                return;
            }
            if (ugt(s.umax, 0xffffffffL) || ugt(umax, 0xffffffffL)) {
                unbounded64();
                return;
            }
            umin *= s.umin;
            umax *= s.umax;
            if (ugt(umax, Long.MAX_VALUE)) {
                smin = Long.MIN_VALUE;
                smax = Long.MAX_VALUE;
            } else {
                smin = umin;
                smax = umax;
            }
        }

        /** s32 bounds from u32 bounds when the u32 range keeps one sign. */
        void signedFromUnsigned32() {
            if (u32min <= u32max) {
                s32min = u32min;
                s32max = u32max;
            } else {
                s32min = Integer.MIN_VALUE;
                s32max = Integer.MAX_VALUE;
            }
        }

        void signedFromUnsigned64() {
            if (umin <= umax) {
                smin = umin;
                smax = umax;
            } else {
                smin = Long.MIN_VALUE;
                smax = Long.MAX_VALUE;
            }
        }

        void and32(Scalar s) {
            Tnum v32 = var.subreg();
            if (s.var.subregIsConst() && var.subregIsConst()) {
                known32((int) v32.value());
                return;
            }
            u32min = (int) v32.value();
            u32max = umin32(u32max, s.u32max);
            signedFromUnsigned32();
        }

        void and64(Scalar s) {
            if (s.var.isConst() && var.isConst()) {
                known64(var.value());
                return;
            }
            umin = var.value();
            umax = Scalar.umin(umax, s.umax);
            signedFromUnsigned64();
            updateBounds64();
        }

        void or32(Scalar s) {
            Tnum v32 = var.subreg();
            if (s.var.subregIsConst() && var.subregIsConst()) {
                known32((int) v32.value());
                return;
            }
            u32min = umax32(u32min, s.u32min);
            u32max = (int) (v32.value() | v32.mask());
            signedFromUnsigned32();
        }

        void or64(Scalar s) {
            if (s.var.isConst() && var.isConst()) {
                known64(var.value());
                return;
            }
            umin = umax(umin, s.umin);
            umax = var.value() | var.mask();
            signedFromUnsigned64();
            updateBounds64();
        }

        void xor32(Scalar s) {
            Tnum v32 = var.subreg();
            if (s.var.subregIsConst() && var.subregIsConst()) {
                known32((int) v32.value());
                return;
            }
            u32min = (int) v32.value();
            u32max = (int) (v32.value() | v32.mask());
            signedFromUnsigned32();
        }

        void xor64(Scalar s) {
            if (s.var.isConst() && var.isConst()) {
                known64(var.value());
                return;
            }
            umin = var.value();
            umax = var.value() | var.mask();
            signedFromUnsigned64();
            updateBounds64();
        }

        private void lsh32Bounds(long uminVal, long umaxVal) {
            s32min = Integer.MIN_VALUE;
            s32max = Integer.MAX_VALUE;
            if (umaxVal > 31 || (u32max & 0xffffffffL) > 1L << (31 - umaxVal)) {
                u32min = 0;
                u32max = -1;
            } else {
                u32min <<= uminVal;
                u32max <<= umaxVal;
            }
        }

        void lsh32(Scalar s) {
            long uminVal = s.u32min & 0xffffffffL;
            long umaxVal = s.u32max & 0xffffffffL;
            Tnum sub = var.subreg();
            lsh32Bounds(uminVal, umaxVal);
            var = sub.lshift((int) uminVal).subreg();
            unbounded64();
            updateBounds32();
        }

        void lsh64(Scalar s) {
            long uminVal = s.umin;
            long umaxVal = s.umax;
            // <<32 keeps non-negative 32-bit bounds: the compiler's sign-extension idiom.
            smax = uminVal == 32 && umaxVal == 32 && s32max >= 0 ? (long) s32max << 32 : Long.MAX_VALUE;
            smin = uminVal == 32 && umaxVal == 32 && s32min >= 0 ? (long) s32min << 32 : Long.MIN_VALUE;
            if (ugt(umax, 1L << (63 - umaxVal))) {
                umin = 0;
                umax = -1L;
            } else {
                umin <<= uminVal;
                umax <<= umaxVal;
            }
            lsh32Bounds(uminVal, umaxVal);
            var = var.lshift((int) uminVal);
            updateBounds();
        }

        void rsh32(Scalar s) {
            long uminVal = s.u32min & 0xffffffffL;
            long umaxVal = s.u32max & 0xffffffffL;
            Tnum sub = var.subreg();
            s32min = Integer.MIN_VALUE;
            s32max = Integer.MAX_VALUE;
            var = sub.rshift((int) uminVal);
            u32min = (int) ((u32min & 0xffffffffL) >>> umaxVal);
            u32max = (int) ((u32max & 0xffffffffL) >>> uminVal);
            unbounded64();
            updateBounds32();
        }

        void rsh64(Scalar s) {
            long uminVal = s.umin;
            long umaxVal = s.umax;
            smin = Long.MIN_VALUE;
            smax = Long.MAX_VALUE;
            var = var.rshift((int) uminVal);
            umin >>>= umaxVal;
            umax >>>= uminVal;
            unbounded32();
            updateBounds();
        }

        void arsh32(Scalar s) {
            int shift = s.u32min;
            s32min >>= shift;
            s32max >>= shift;
            var = var.subreg().arshift(shift, 32);
            u32min = 0;
            u32max = -1;
            unbounded64();
            updateBounds32();
        }

        void arsh64(Scalar s) {
            int shift = (int) s.umin;
            smin >>= shift;
            smax >>= shift;
            var = var.arshift(shift, 64);
            umin = 0;
            umax = -1L;
            unbounded32();
            updateBounds();
        }
    }
}
