package org.obpf.api.jit.code;

import static org.obpf.api.insn.Opcodes.*;

import java.util.random.RandomGenerator;
import org.obpf.api.insn.Insn;

/**
 * Constant blinding, as the kernel's {@code bpf_jit_blind_constants} and {@code bpf_jit_blind_insn}
 * ({@code kernel/bpf/core.c}) do it: every instruction with an attacker-chosen immediate is
 * rewritten so that the immediate never appears in the generated code. The immediate is loaded
 * into the hidden register {@link #BPF_REG_AX} as {@code imm ^ rnd}, un-blinded with
 * {@code xor AX, rnd} (a fresh random {@code rnd} per instruction), and the operation uses AX as
 * its register operand:
 *
 * <ul>
 * <li>{@code ALU/ALU64 add, sub, and, or, xor, mul, mov, div, mod} with an immediate: three
 *     instructions, the last the register form ({@code off} kept: signed division stays signed);</li>
 * <li>{@code mov dst, 0}: {@code xor dst, dst} (64-bit), no immediate at all;</li>
 * <li>conditional jumps (JMP and JMP32) with an immediate: mov/xor into AX, then the register
 *     form; jump offsets are recomputed for the instructions inserted;</li>
 * <li>{@code lddw} with a plain constant (src 0): seven instructions building the value in AX
 *     (high half, shift, low half);</li>
 * <li>{@code st [dst+off], imm}: mov/xor into AX, then {@code stx}.</li>
 * </ul>
 *
 * Shifts, byte swaps, jumps and calls are left alone, as in the kernel; so are {@code lddw} with
 * a pseudo source, whose value is a relocation the back-end never sees. Instructions that already
 * use AX are left alone (they come from an earlier rewrite).
 */
public final class ConstantBlinding {
    private ConstantBlinding() {}

    /**
     * The kernel's {@code BPF_REG_AX} ({@code MAX_BPF_REG}): a register only back-ends see, for
     * blinding and other rewrites. Back-ends that blind map it to a scratch register.
     */
    public static final int BPF_REG_AX = 11;

    /**
     * A blinded program.
     *
     * @param insns    the rewritten slots
     * @param origin   for each rewritten slot, the original slot it came from
     * @param newIndex for each original slot (and one past the end), the first rewritten slot of
     *                 its replacement
     */
    public record Result(long[] insns, int[] origin, int[] newIndex) {
        /** Maps original slot indexes (sub-program starts) to rewritten ones. */
        public int[] mapStarts(int[] starts) {
            int[] r = new int[starts.length];
            for (int i = 0; i < starts.length; i++) r[i] = newIndex[starts[i]];
            return r;
        }
    }

    /**
     * Rewrites {@code insns}.
     *
     * @throws IllegalArgumentException if a jump's offset no longer fits its 16-bit field after
     *     the rewrite (the kernel fails the same way with {@code ERANGE})
     */
    public static Result blind(long[] insns, RandomGenerator random) {
        int n = insns.length;
        long[][] groups = new long[n][];
        for (int pc = 0; pc < n; pc++) {
            long w = insns[pc];
            if (isLdImm64(Insn.code(w)) && pc + 1 < n) {
                groups[pc] = blindLdImm64(w, insns[pc + 1], random);
                groups[pc + 1] = new long[0];
                pc++;
            } else {
                groups[pc] = blindOne(w, random);
            }
        }
        int[] newIndex = new int[n + 1];
        int total = 0;
        for (int pc = 0; pc < n; pc++) {
            newIndex[pc] = total;
            total += groups[pc].length;
        }
        newIndex[n] = total;
        // The second slot of an lddw has no group of its own: map it to the slot after the group.
        long[] out = new long[total];
        int[] origin = new int[total];
        for (int pc = 0; pc < n; pc++) {
            long[] g = groups[pc];
            for (int j = 0; j < g.length; j++) {
                out[newIndex[pc] + j] = g[j];
                origin[newIndex[pc] + j] = pc;
            }
        }
        // Relative jumps and calls: the last slot of each group carries the original's control transfer.
        for (int pc = 0; pc < n; pc++) {
            long[] g = groups[pc];
            if (g.length == 0) continue;
            long w = insns[pc];
            int code = Insn.code(w);
            int cls = bpfClass(code);
            if (cls != BPF_JMP && cls != BPF_JMP32) continue;
            int op = bpfOp(code);
            int at = newIndex[pc] + g.length - 1;
            long last = out[at];
            if (op == BPF_CALL) {
                if (Insn.src(w) != BPF_PSEUDO_CALL) continue;
                int target = pc + 1 + Insn.imm(w);
                out[at] = Insn.withImm(last, mapTarget(newIndex, target, n) - (at + 1));
            } else if (op == BPF_EXIT) {
                continue;
            } else if (op == BPF_JA && cls == BPF_JMP32) { // gotol
                int target = pc + 1 + Insn.imm(w);
                out[at] = Insn.withImm(last, mapTarget(newIndex, target, n) - (at + 1));
            } else {
                int target = pc + 1 + Insn.off(w);
                int off = mapTarget(newIndex, target, n) - (at + 1);
                if (off < Short.MIN_VALUE || off > Short.MAX_VALUE) {
                    throw new IllegalArgumentException("insn " + pc + ": jump offset " + off
                            + " does not fit 16 bits after constant blinding");
                }
                out[at] = Insn.encode(Insn.code(last), Insn.dst(last), Insn.src(last), off, Insn.imm(last));
            }
        }
        return new Result(out, origin, newIndex);
    }

    private static int mapTarget(int[] newIndex, int target, int n) {
        // Out-of-range targets stay out of range (the back-end refuses them with the original index).
        if (target < 0) return target;
        if (target > n) return newIndex[n] + (target - n);
        return newIndex[target];
    }

    private static long[] blindOne(long w, RandomGenerator random) {
        int code = Insn.code(w);
        int dst = Insn.dst(w);
        int src = Insn.src(w);
        short off = Insn.off(w);
        int imm = Insn.imm(w);
        if (dst == BPF_REG_AX || src == BPF_REG_AX) return new long[] {w};
        int cls = bpfClass(code);
        int op = bpfOp(code);
        if (imm == 0 && (code == (BPF_ALU | BPF_MOV | BPF_K) || code == (BPF_ALU64 | BPF_MOV | BPF_K)) && off == 0) {
            return new long[] {Insn.encode(BPF_ALU64 | BPF_XOR | BPF_X, dst, dst, 0, 0)};
        }
        int rnd = random.nextInt();
        switch (cls) {
            case BPF_ALU, BPF_ALU64 -> {
                if (bpfSrc(code) != BPF_K) return new long[] {w};
                switch (op) {
                    case BPF_ADD, BPF_SUB, BPF_AND, BPF_OR, BPF_XOR, BPF_MUL, BPF_MOV, BPF_DIV, BPF_MOD -> {
                        return new long[] {
                            Insn.encode(cls | BPF_MOV | BPF_K, BPF_REG_AX, 0, 0, rnd ^ imm),
                            Insn.encode(cls | BPF_XOR | BPF_K, BPF_REG_AX, 0, 0, rnd),
                            Insn.encode(cls | op | BPF_X, dst, BPF_REG_AX, off, 0),
                        };
                    }
                    default -> { return new long[] {w}; }
                }
            }
            case BPF_JMP, BPF_JMP32 -> {
                if (bpfSrc(code) != BPF_K) return new long[] {w};
                switch (op) {
                    case BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET, BPF_JNE, BPF_JSGT, BPF_JSGE, BPF_JLT, BPF_JLE,
                         BPF_JSLT, BPF_JSLE -> {
                        int aluCls = cls == BPF_JMP ? BPF_ALU64 : BPF_ALU;
                        return new long[] {
                            Insn.encode(aluCls | BPF_MOV | BPF_K, BPF_REG_AX, 0, 0, rnd ^ imm),
                            Insn.encode(aluCls | BPF_XOR | BPF_K, BPF_REG_AX, 0, 0, rnd),
                            Insn.encode(cls | op | BPF_X, dst, BPF_REG_AX, off, 0), // off fixed by the caller
                        };
                    }
                    default -> { return new long[] {w}; }
                }
            }
            case BPF_ST -> {
                if (bpfMode(code) != BPF_MEM) return new long[] {w};
                return new long[] {
                    Insn.encode(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_AX, 0, 0, rnd ^ imm),
                    Insn.encode(BPF_ALU64 | BPF_XOR | BPF_K, BPF_REG_AX, 0, 0, rnd),
                    Insn.encode(BPF_STX | BPF_MEM | bpfSize(code), dst, BPF_REG_AX, off, 0),
                };
            }
            default -> { return new long[] {w}; }
        }
    }

    private static long[] blindLdImm64(long first, long second, RandomGenerator random) {
        if (Insn.src(first) != 0 || Insn.dst(first) == BPF_REG_AX) return new long[] {first, second};
        int dst = Insn.dst(first);
        int lo = Insn.imm(first);
        int hi = Insn.imm(second);
        int rnd1 = random.nextInt();
        int rnd2 = random.nextInt();
        return new long[] {
            Insn.encode(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_AX, 0, 0, rnd1 ^ hi),
            Insn.encode(BPF_ALU64 | BPF_XOR | BPF_K, BPF_REG_AX, 0, 0, rnd1),
            Insn.encode(BPF_ALU64 | BPF_LSH | BPF_K, BPF_REG_AX, 0, 0, 32),
            Insn.encode(BPF_ALU64 | BPF_MOV | BPF_X, dst, BPF_REG_AX, 0, 0),
            Insn.encode(BPF_ALU | BPF_MOV | BPF_K, BPF_REG_AX, 0, 0, rnd2 ^ lo),
            Insn.encode(BPF_ALU | BPF_XOR | BPF_K, BPF_REG_AX, 0, 0, rnd2),
            Insn.encode(BPF_ALU64 | BPF_OR | BPF_X, dst, BPF_REG_AX, 0, 0),
        };
    }
}
