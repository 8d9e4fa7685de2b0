package org.obpf.core.interp;

import static org.obpf.api.insn.Opcodes.*;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.obpf.api.BpfException;
import org.obpf.api.Errno;
import org.obpf.api.helper.Helper;
import org.obpf.api.insn.Insn;
import org.obpf.api.insn.InsnDecoder;
import org.obpf.api.insn.InsnKind;
import org.obpf.core.helper.BuiltinHelpers;
import org.obpf.core.helper.HelperTable;

/**
 * A program decoded once for the {@link Interpreter}: fields pre-split into int arrays, jump and
 * call targets made absolute, helper calls bound to helper objects (the kernel's
 * {@code fixup_bpf_call}), signed and sign-extending variants given opcodes of their own. Programs
 * are validated by {@link InsnDecoder} (the verifier's structural checks), and decoding refuses the
 * rest of what the interpreter cannot run, so the dispatch loop needs no further checks than the
 * memory ones. Immutable and shareable between threads.
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
    final List<Region> regions;

    /** Tags the value of an lddw of a {@code BPF_PSEUDO_FUNC}: the low 32 bits are the sub-program's slot. */
    public static final long FUNC_TAG = 0x0bf0_0000_0000_0000L;

    private final java.util.BitSet callbacks;

    private Program(long[] insns, int[] code, int[] imm, int[] aux, long[] imm64, Helper[] helpers, List<Region> regions,
            java.util.BitSet callbacks) {
        this.callbacks = callbacks;
        this.insns = insns;
        this.code = code;
        this.imm = imm;
        this.aux = aux;
        this.imm64 = imm64;
        this.helpers = helpers;
        this.regions = regions;
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
     * Validates {@code insns} (one little-endian 64-bit word per slot, {@link Insn}'s packed form)
     * with {@link InsnDecoder}, the kernel verifier's structural checks and words, and binds its
     * helper calls against {@code helpers} by helper number.
     *
     * @throws BpfException {@link Errno#EINVAL} naming the instruction index and the problem: what
     *     {@link InsnDecoder#validate} refuses, and what this interpreter cannot run: legacy packet
     *     loads, an lddw whose map reference was not resolved by prelink, kfunc calls, a call to a
     *     helper the table does not have
     */
    public static Program load(long[] insns, HelperTable helpers) throws BpfException {
        return load(insns, helpers::require, List.of());
    }

    /**
     * Resolves the helper of a call instruction from its {@code imm}: a helper number before
     * prelink, the slot in the prelinked program's helper table after it.
     */
    @FunctionalInterface
    public interface HelperBinder {
        Helper bind(int imm) throws BpfException;
    }

    /**
     * Validates and decodes {@code insns} as {@link #load(long[], HelperTable)} does, binding calls
     * through {@code binder}; {@code regions} is native memory every run of this program may touch
     * besides its stack and context (the value areas of the maps it addresses directly, as after
     * an inlined array lookup or a {@code BPF_PSEUDO_MAP_VALUE} load).
     */
    public static Program load(long[] insns, HelperBinder binder, List<Region> regions) throws BpfException {
        InsnDecoder.validate(insns);
        int n = insns.length;
        int[] code = new int[n + 1];
        int[] imm = new int[n + 1];
        int[] aux = new int[n + 1];
        long[] imm64 = new long[n + 1];
        List<Helper> bound = new ArrayList<>();
        java.util.BitSet callbacks = new java.util.BitSet(n);

        for (int pc = 0; pc < n; pc++) {
            long w = insns[pc];
            InsnKind kind = InsnKind.of(w);
            int op = Insn.code(w);
            int dst = Insn.dst(w);
            int src = Insn.src(w);
            int off = Insn.off(w);
            int k = Insn.imm(w);
            int internal = op;
            int a = 0;
            switch (kind) {
                case SDIV, SMOD -> internal = VARIANT | op;
                case MOVSX -> {
                    internal = VARIANT | op;
                    k = 64 - off;
                }
                case LDX, LDXSX, ST, STX -> a = off;
                case LD_ABS, LD_IND -> throw invalid(pc, "legacy packet load (BPF_ABS/BPF_IND, op 0x"
                        + Integer.toHexString(op) + ") is not supported: it needs a socket buffer context");
                case LD_IMM64 -> {
                    long value = (k & 0xffffffffL) | (long) Insn.imm(insns[pc + 1]) << 32;
                    if (src == BPF_PSEUDO_FUNC) {
                        callbacks.set(pc + 1 + k);
                        // A callback reference: a token naming the sub-program, handed back by a
                        // helper to HelperContext.callback (the kernel puts the JITed address here).
                        value = FUNC_TAG | (pc + 1 + k);
                    } else if (src != 0) {
                        throw invalid(pc, "lddw with pseudo source " + src + " (" + pseudoName(src)
                                + ") must be resolved by prelink before the program runs");
                    }
                    imm64[pc] = value;
                    code[pc] = internal | dst << DST_SHIFT;
                    imm[pc] = k;
                    // The second slot is never executed (pc skips it).
                    code[pc + 1] = FALL_OFF;
                    pc++;
                    continue;
                }
                case JA -> a = pc + 1 + off;
                case GOTOL -> a = pc + 1 + k;
                case CALL_HELPER -> {
                    Helper h;
                    try {
                        h = binder.bind(k);
                    } catch (BpfException e) {
                        throw invalid(pc, e.getMessage());
                    }
                    if (h.id() == BuiltinHelpers.BPF_FUNC_tail_call) {
                        internal = TAIL_CALL;
                    } else {
                        a = bound.indexOf(h);
                        if (a < 0) {
                            a = bound.size();
                            bound.add(h);
                        }
                    }
                }
                case CALL_LOCAL -> {
                    internal = CALL_LOCAL;
                    a = pc + 1 + k;
                }
                case CALL_KFUNC -> throw invalid(pc, "kfunc calls are not supported");
                default -> {
                    if (kind.group() == InsnKind.Group.JMP) a = pc + 1 + off; // conditional jumps
                    if (kind.group() == InsnKind.Group.ATOMIC) a = off;
                }
            }
            code[pc] = internal | dst << DST_SHIFT | src << SRC_SHIFT;
            imm[pc] = k;
            aux[pc] = a;
        }
        code[n] = FALL_OFF;
        return new Program(insns.clone(), code, imm, aux, imm64, bound.toArray(Helper[]::new), List.copyOf(regions), callbacks);
    }

    /** Native memory a program may touch on every run, besides its stack and context. */
    public record Region(java.lang.foreign.MemorySegment memory, boolean writable) {
        public Region {
            if (!memory.isNative()) throw new IllegalArgumentException("a program region must be native memory");
        }
    }

    /** Whether slot {@code pc} starts a sub-program the program references as a callback. */
    boolean isCallback(int pc) {
        return pc >= 0 && callbacks.get(pc);
    }

    /** The regions given to {@link #load(long[], HelperBinder, List)}. */
    public List<Region> regions() {
        return regions;
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

    private static BpfException invalid(int pc, String message) {
        return new BpfException(Errno.EINVAL, (pc < 0 ? "" : "insn " + pc + ": ") + message);
    }

    @Override
    public String toString() {
        return "Program[" + insns.length + " insns, helpers " + Arrays.stream(helpers).map(Helper::name).toList() + "]";
    }
}
