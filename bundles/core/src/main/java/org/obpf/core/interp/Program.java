package org.obpf.core.interp;

import static org.obpf.api.insn.Opcodes.*;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.obpf.api.BpfException;
import org.obpf.api.Errno;
import org.obpf.api.helper.Helper;
import org.obpf.api.insn.Insn;
import org.obpf.core.helper.BuiltinHelpers;
import org.obpf.core.helper.HelperTable;

/**
 * A program decoded once for the {@link Interpreter}: fields pre-split into int arrays, jump and
 * call targets made absolute, helper calls bound to helper objects (the kernel's
 * {@code fixup_bpf_call}), signed and sign-extending variants given opcodes of their own. Decoding
 * refuses anything the interpreter cannot run safely, so the dispatch loop needs no further checks
 * than the memory ones. Immutable and shareable between threads.
 */
public final class Program {

    // Internal opcodes beyond the ISA's byte: the 0x100 bit marks the variant that the ISA encodes
    // in another field (signed div/mod and movsx in off, local calls in src, tail_call in imm).
    static final int VARIANT = 0x100;
    static final int SDIV = VARIANT | BPF_DIV;
    static final int SMOD = VARIANT | BPF_MOD;
    static final int MOVSX = VARIANT | BPF_MOV;
    static final int CALL_LOCAL = VARIANT | BPF_JMP | BPF_CALL;
    static final int TAIL_CALL = VARIANT | BPF_JMP | BPF_CALL | BPF_X;
    /** Placed after the last slot: reached only if decoding let control fall off the end. */
    static final int FALL_OFF = VARIANT;

    static final int OP_MASK = 0x1ff;
    static final int DST_SHIFT = 12;
    static final int SRC_SHIFT = 16;

    private static final int LDDW = BPF_LD | BPF_IMM | BPF_DW;

    final long[] insns;
    /** Per slot: internal opcode | dst << 12 | src << 16. */
    final int[] code;
    /** Per slot: the immediate; for movsx, the shift count 64 - width. */
    final int[] imm;
    /** Per slot: memory offset for loads/stores, absolute target for jumps and local calls, helper slot for calls. */
    final int[] aux;
    /**
     * Per slot, everything the dispatch loop needs in one load: the low 32 bits are {@code code}
     * (for an immediate store or an immediate-compare jump, with the memory offset or the relative
     * jump offset in bits 16..31 instead of the unused src), the high 32 bits the immediate, or the
     * memory offset of a register load/store, or the relative offset of a register-compare jump,
     * {@code ja}, {@code gotol} or local call. See {@link #slot}.
     */
    final long[] slots;
    /** Per slot: the 64-bit constant of an lddw (in its first slot). */
    final long[] imm64;
    final Helper[] helpers;

    private Program(long[] insns, int[] code, int[] imm, int[] aux, long[] imm64, Helper[] helpers) {
        this.insns = insns;
        this.code = code;
        this.imm = imm;
        this.aux = aux;
        this.imm64 = imm64;
        this.helpers = helpers;
        this.slots = new long[code.length];
        for (int pc = 0; pc < code.length; pc++) slots[pc] = slot(pc, code[pc], imm[pc], aux[pc]);
    }

    /** The instruction slots this program was decoded from. */
    public long[] insns() {
        return insns.clone();
    }

    /** Number of instruction slots. */
    public int length() {
        return insns.length;
    }

    /**
     * Decodes and checks {@code insns} (one little-endian 64-bit word per slot, {@link Insn}'s
     * packed form) and binds its helper calls against {@code helpers}.
     *
     * @throws BpfException {@link Errno#EINVAL} naming the instruction index and the problem: an
     *     unknown or reserved opcode, a register above r10, a write to r10, a jump outside the
     *     program or into the middle of an lddw, an lddw whose pseudo source was not resolved by
     *     prelink, a call to a helper the table does not have, a last instruction that is neither
     *     exit nor jump
     */
    public static Program load(long[] insns, HelperTable helpers) throws BpfException {
        int n = insns.length;
        if (n == 0) throw invalid(-1, "program has no instructions");
        int[] code = new int[n + 1];
        int[] imm = new int[n + 1];
        int[] aux = new int[n + 1];
        long[] imm64 = new long[n + 1];
        boolean[] lddwTail = new boolean[n + 1];
        List<Helper> bound = new ArrayList<>();

        for (int pc = 0; pc < n; pc++) {
            long w = insns[pc];
            int op = Insn.code(w);
            int dst = Insn.dst(w);
            int src = Insn.src(w);
            int off = Insn.off(w);
            int k = Insn.imm(w);
            int cls = bpfClass(op);
            int internal = op;
            int a = 0;
            if (dst > 10) throw invalid(pc, "invalid register r" + dst + " (op 0x" + Integer.toHexString(op) + ")");
            switch (cls) {
                case BPF_ALU, BPF_ALU64 -> {
                    int operation = bpfOp(op);
                    boolean x = bpfSrc(op) == BPF_X;
                    checkSrc(pc, op, src, x);
                    if (dst == BPF_REG_FP) throw invalid(pc, "frame pointer r10 is read only");
                    switch (operation) {
                        case BPF_ADD, BPF_SUB, BPF_MUL, BPF_OR, BPF_AND, BPF_LSH, BPF_RSH, BPF_XOR, BPF_ARSH ->
                                requireOff(pc, op, off, 0);
                        case BPF_DIV, BPF_MOD -> {
                            if (off == 1) internal = VARIANT | op; // sdiv / smod
                            else requireOff(pc, op, off, 0);
                        }
                        case BPF_MOV -> {
                            if (off != 0) {
                                boolean ok = x && (off == 8 || off == 16 || (off == 32 && cls == BPF_ALU64));
                                if (!ok) throw invalid(pc, "invalid movsx offset " + off + " (op 0x" + Integer.toHexString(op) + ")");
                                internal = VARIANT | op;
                                k = 64 - off;
                            }
                        }
                        case BPF_NEG -> {
                            if (x) throw unknown(pc, op);
                            requireOff(pc, op, off, 0);
                        }
                        case BPF_END -> {
                            if (cls == BPF_ALU64 && x) throw unknown(pc, op);
                            if (k != 16 && k != 32 && k != 64) throw invalid(pc, "invalid byte swap width " + k + " (op 0x" + Integer.toHexString(op) + ")");
                        }
                        default -> throw unknown(pc, op);
                    }
                }
                case BPF_LDX -> {
                    int mode = bpfMode(op);
                    if (mode != BPF_MEM && !(mode == BPF_MEMSX && bpfSize(op) != BPF_DW)) throw unknown(pc, op);
                    checkSrc(pc, op, src, true);
                    if (dst == BPF_REG_FP) throw invalid(pc, "frame pointer r10 is read only");
                    a = off;
                }
                case BPF_ST -> {
                    if (bpfMode(op) != BPF_MEM) throw unknown(pc, op);
                    a = off;
                }
                case BPF_STX -> {
                    checkSrc(pc, op, src, true);
                    int mode = bpfMode(op);
                    if (mode == BPF_ATOMIC) {
                        if (bpfSize(op) != BPF_W && bpfSize(op) != BPF_DW) throw unknown(pc, op);
                        switch (k) {
                            case BPF_ADD, BPF_OR, BPF_AND, BPF_XOR -> { }
                            case BPF_ADD | BPF_FETCH, BPF_OR | BPF_FETCH, BPF_AND | BPF_FETCH,
                                 BPF_XOR | BPF_FETCH, BPF_XCHG -> {
                                if (src == BPF_REG_FP) throw invalid(pc, "frame pointer r10 is read only (atomic fetch into r10)");
                            }
                            case BPF_CMPXCHG -> { }
                            default -> throw invalid(pc, "invalid atomic operation 0x" + Integer.toHexString(k));
                        }
                    } else if (mode != BPF_MEM) {
                        throw unknown(pc, op);
                    }
                    a = off;
                }
                case BPF_LD -> {
                    if (op != LDDW) {
                        int mode = bpfMode(op);
                        if (mode == BPF_ABS || mode == BPF_IND) {
                            throw invalid(pc, "legacy packet load (BPF_ABS/BPF_IND, op 0x" + Integer.toHexString(op)
                                    + ") is not supported: it needs a socket buffer context");
                        }
                        throw unknown(pc, op);
                    }
                    if (dst == BPF_REG_FP) throw invalid(pc, "frame pointer r10 is read only");
                    if (src != 0) {
                        throw invalid(pc, "lddw with pseudo source " + src + " (" + pseudoName(src)
                                + ") must be resolved by prelink before the program runs");
                    }
                    if (pc + 1 >= n || Insn.code(insns[pc + 1]) != 0) {
                        throw invalid(pc, "invalid bpf_ld_imm64 insn: the second slot is missing");
                    }
                    imm64[pc] = (k & 0xffffffffL) | (long) Insn.imm(insns[pc + 1]) << 32;
                    lddwTail[pc + 1] = true;
                    code[pc] = internal | dst << DST_SHIFT;
                    imm[pc] = k;
                    // The second slot is never executed (pc skips it); mark it so that a jump into it is refused.
                    code[pc + 1] = FALL_OFF;
                    pc++;
                    continue;
                }
                case BPF_JMP, BPF_JMP32 -> {
                    int operation = bpfOp(op);
                    boolean x = bpfSrc(op) == BPF_X;
                    switch (operation) {
                        case BPF_JA -> {
                            if (x) throw unknown(pc, op);
                            a = pc + 1 + (cls == BPF_JMP ? off : k); // JMP32|JA is gotol: 32-bit offset in imm
                        }
                        case BPF_EXIT -> {
                            if (cls != BPF_JMP || x) throw unknown(pc, op);
                        }
                        case BPF_CALL -> {
                            if (cls != BPF_JMP) throw unknown(pc, op);
                            if (x) {
                                throw invalid(pc, "callx (indirect call, op 0x8d) is not supported: it is not part of"
                                        + " RFC 9669's instruction set and the kernel refuses it from programs");
                            }
                            switch (src) {
                                case BPF_HELPER_CALL -> {
                                    Helper h;
                                    try {
                                        h = helpers.require(k);
                                    } catch (BpfException e) {
                                        throw invalid(pc, e.getMessage());
                                    }
                                    if (k == BuiltinHelpers.BPF_FUNC_tail_call) {
                                        internal = TAIL_CALL;
                                    } else {
                                        a = bound.indexOf(h);
                                        if (a < 0) {
                                            a = bound.size();
                                            bound.add(h);
                                        }
                                    }
                                }
                                case BPF_PSEUDO_CALL -> {
                                    internal = CALL_LOCAL;
                                    a = pc + 1 + k;
                                }
                                case BPF_PSEUDO_KFUNC_CALL -> throw invalid(pc, "kfunc calls are not supported");
                                default -> throw invalid(pc, "invalid call source " + src);
                            }
                        }
                        case BPF_JEQ, BPF_JGT, BPF_JGE, BPF_JSET, BPF_JNE, BPF_JSGT, BPF_JSGE, BPF_JLT, BPF_JLE,
                             BPF_JSLT, BPF_JSLE -> {
                            checkSrc(pc, op, src, x);
                            a = pc + 1 + off;
                        }
                        default -> throw unknown(pc, op);
                    }
                }
                default -> throw unknown(pc, op);
            }
            code[pc] = internal | dst << DST_SHIFT | src << SRC_SHIFT;
            imm[pc] = k;
            aux[pc] = a;
        }
        code[n] = FALL_OFF;

        // Every jump must land on an instruction: not outside, not in the middle of an lddw.
        for (int pc = 0; pc < n; pc++) {
            int op = code[pc] & OP_MASK;
            int cls = bpfClass(op);
            boolean jump = (cls == BPF_JMP || cls == BPF_JMP32) && op != (BPF_JMP | BPF_CALL)
                    && op != (BPF_JMP | BPF_EXIT) && op != TAIL_CALL && op != FALL_OFF;
            if (!jump) continue;
            int target = aux[pc];
            String what = op == CALL_LOCAL ? "call" : "jump";
            if (target < 0 || target >= n) {
                throw invalid(pc, what + " out of range: target " + target + ", program has " + n + " instructions");
            }
            if (lddwTail[target]) throw invalid(pc, what + " into the middle of the lddw at " + (target - 1));
        }
        int last = n - 1;
        if (lddwTail[last]) last--;
        int lastOp = code[last] & OP_MASK;
        if (lastOp != (BPF_JMP | BPF_EXIT) && lastOp != (BPF_JMP | BPF_JA) && lastOp != (BPF_JMP32 | BPF_JA)) {
            throw invalid(last, "last insn is not an exit or jmp");
        }
        return new Program(insns.clone(), code, imm, aux, imm64, bound.toArray(Helper[]::new));
    }

    /** Packs one slot for the dispatch loop (layout in {@link #slots}). */
    private static long slot(int pc, int code, int imm, int aux) {
        int op = code & OP_MASK;
        int rel = aux - pc - 1;
        int opDst = code & (OP_MASK | 0xf << DST_SHIFT);
        switch (bpfClass(op)) {
            case BPF_LDX, BPF_STX -> {
                return (code & 0xffffffffL) | (long) aux << 32;
            }
            case BPF_ST -> {
                return (opDst | (aux & 0xffff) << 16) & 0xffffffffL | (long) imm << 32;
            }
            case BPF_JMP, BPF_JMP32 -> {
                int o = op & 0xf0;
                if (op == FALL_OFF || op == TAIL_CALL || op == (BPF_JMP | BPF_CALL) || o == BPF_EXIT) break;
                if (o == BPF_JA || op == CALL_LOCAL) return (code & 0xffffffffL) | (long) rel << 32;
                if (bpfSrc(op) == BPF_X) return (code & 0xffffffffL) | (long) rel << 32;
                return (opDst | (rel & 0xffff) << 16) & 0xffffffffL | (long) imm << 32;
            }
            default -> { }
        }
        return (code & 0xffffffffL) | (long) imm << 32;
    }

    private static void checkSrc(int pc, int op, int src, boolean used) throws BpfException {
        if (used && src > 10) throw invalid(pc, "invalid register r" + src + " (op 0x" + Integer.toHexString(op) + ")");
    }

    private static void requireOff(int pc, int op, int off, int expected) throws BpfException {
        if (off != expected) throw invalid(pc, "invalid offset " + off + " for op 0x" + Integer.toHexString(op));
    }

    private static String pseudoName(int src) {
        return switch (src) {
            case BPF_PSEUDO_MAP_FD -> "BPF_PSEUDO_MAP_FD";
            case BPF_PSEUDO_MAP_VALUE -> "BPF_PSEUDO_MAP_VALUE";
            case BPF_PSEUDO_BTF_ID -> "BPF_PSEUDO_BTF_ID";
            case BPF_PSEUDO_FUNC -> "BPF_PSEUDO_FUNC";
            case BPF_PSEUDO_MAP_IDX -> "BPF_PSEUDO_MAP_IDX";
            case BPF_PSEUDO_MAP_IDX_VALUE -> "BPF_PSEUDO_MAP_IDX_VALUE";
            default -> "unknown";
        };
    }

    private static BpfException unknown(int pc, int op) {
        return invalid(pc, "unknown opcode 0x" + Integer.toHexString(op));
    }

    private static BpfException invalid(int pc, String message) {
        return new BpfException(Errno.EINVAL, (pc < 0 ? "" : "insn " + pc + ": ") + message);
    }

    @Override
    public String toString() {
        return "Program[" + insns.length + " insns, helpers " + Arrays.stream(helpers).map(Helper::name).toList() + "]";
    }
}
