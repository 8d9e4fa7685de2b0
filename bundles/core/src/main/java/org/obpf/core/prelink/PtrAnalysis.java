package org.obpf.core.prelink;

import static org.obpf.api.insn.Opcodes.*;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.BitSet;
import java.util.TreeMap;
import org.obpf.api.BpfException;
import org.obpf.api.Errno;
import org.obpf.api.insn.Insn;
import org.obpf.api.insn.InsnKind;
import org.obpf.api.insn.Opcodes;

/**
 * The little of the verifier's register-type tracking that prelink needs, as a forward dataflow
 * over every path: which loads and stores go through the context pointer (so that
 * {@code convert_ctx_accesses} rewrites exactly those), and which map a helper call's r1 holds
 * (so that {@code fixup_bpf_call} can inline array lookups). Tracks the context pointer, map
 * pointers, frame-pointer offsets and 8-byte spills to the stack; everything else is a scalar.
 * The kernel's verifier records the same facts in {@code insn_aux_data}.
 */
final class PtrAnalysis {
    // Abstract values: small constants, or a kind in the high word with a payload.
    static final long UNINIT = 0, SCALAR = 1, CTX = 2, MODIFIED_CTX = 3, MIXED_CTX = 4, MIXED = 5;
    private static final long FP_KIND = 6, MAP_KIND = 7;

    static long fp(int off) { return FP_KIND << 32 | (off & 0xffffffffL); }
    static long map(int index) { return MAP_KIND << 32 | index; }
    static boolean isMap(long v) { return v >>> 32 == MAP_KIND; }
    static int mapIndex(long v) { return (int) v; }
    private static boolean isFp(long v) { return v >>> 32 == FP_KIND; }
    private static boolean ctxLike(long v) { return v == CTX || v == MODIFIED_CTX || v == MIXED_CTX; }

    /** Per slot: the base register of this load/store holds the context pointer. */
    final BitSet ctxAccess = new BitSet();
    /** Per slot of a legacy packet load: r6 holds the context pointer. */
    final BitSet ctxInR6 = new BitSet();
    /** Per slot of a helper call: map index in r1, or -1. */
    final int[] mapAtCall;

    private final BitSet notCtxInR6 = new BitSet();

    private record State(long[] regs, TreeMap<Integer, Long> stack) {
        State copy() {
            return new State(regs.clone(), new TreeMap<>(stack));
        }
    }

    private static long join(long a, long b) {
        if (a == b) return a;
        if (a == UNINIT) return b;
        if (b == UNINIT) return a;
        return ctxLike(a) || ctxLike(b) ? MIXED_CTX : MIXED;
    }

    /** Joins {@code in} into {@code into}; true if {@code into} changed. */
    private static boolean merge(State into, State in) {
        boolean changed = false;
        for (int r = 0; r < into.regs.length; r++) {
            long j = join(into.regs[r], in.regs[r]);
            if (j != into.regs[r]) {
                into.regs[r] = j;
                changed = true;
            }
        }
        for (var e : in.stack.entrySet()) {
            Long old = into.stack.get(e.getKey());
            long j = join(old == null ? UNINIT : old, e.getValue());
            if (old == null || j != old) {
                into.stack.put(e.getKey(), j);
                changed = true;
            }
        }
        return changed;
    }

    /**
     * @param insns      validated slots, map pointers already resolved
     * @param mapSlots   lddw slots that load a map pointer, with the map's index
     * @param ctxInR1    whether the program type passes a context that needs conversion
     */
    PtrAnalysis(long[] insns, int[] mapSlots, boolean ctxInR1) throws BpfException {
        int n = insns.length;
        mapAtCall = new int[n];
        Arrays.fill(mapAtCall, -1);
        State[] in = new State[n];
        ArrayDeque<Integer> work = new ArrayDeque<>();
        State entry = new State(new long[MAX_BPF_REG], new TreeMap<>());
        entry.regs[1] = ctxInR1 ? CTX : SCALAR;
        entry.regs[BPF_REG_FP] = fp(0);
        in[0] = entry;
        work.add(0);
        // Callbacks (lddw BPF_PSEUDO_FUNC targets) start with scalar arguments in a new frame.
        for (int pc = 0; pc < n; pc++) {
            if (InsnKind.of(insns[pc]) == InsnKind.LD_IMM64) {
                if (Insn.src(insns[pc]) == BPF_PSEUDO_FUNC) {
                    int t = pc + 1 + Insn.imm(insns[pc]);
                    State s = new State(new long[MAX_BPF_REG], new TreeMap<>());
                    for (int r = 1; r <= 5; r++) s.regs[r] = SCALAR;
                    s.regs[BPF_REG_FP] = fp(0);
                    if (in[t] == null) in[t] = s;
                    else merge(in[t], s);
                    work.add(t);
                }
                pc++;
            }
        }
        while (!work.isEmpty()) {
            int pc = work.poll();
            State s = in[pc].copy();
            long w = insns[pc];
            InsnKind kind = InsnKind.of(w);
            int dst = Insn.dst(w);
            int src = Insn.src(w);
            int off = Insn.off(w);
            int next = pc + 1;
            switch (kind.group()) {
                case ALU -> {
                    boolean alu64 = Opcodes_bpfClass(w) == BPF_ALU64;
                    long v = s.regs[dst];
                    if (kind == InsnKind.MOV && alu64 && (Insn.code(w) & BPF_X) != 0) {
                        s.regs[dst] = s.regs[src];
                    } else if (alu64 && isFp(v) && (kind == InsnKind.ADD || kind == InsnKind.SUB) && (Insn.code(w) & BPF_X) == 0) {
                        int k = Insn.imm(w);
                        s.regs[dst] = fp((int) v + (kind == InsnKind.ADD ? k : -k));
                    } else if (ctxLike(v)) {
                        s.regs[dst] = MODIFIED_CTX;
                    } else {
                        s.regs[dst] = SCALAR;
                    }
                }
                case LD_IMM64 -> {
                    s.regs[dst] = mapSlots[pc] >= 0 ? map(mapSlots[pc]) : SCALAR;
                    next = pc + 2;
                }
                case LD_PACKET -> {
                    // Not per path: a slot reached once with r6 != ctx is refused.
                    if (s.regs[6] == CTX && !notCtxInR6.get(pc)) ctxInR6.set(pc);
                    else {
                        notCtxInR6.set(pc);
                        ctxInR6.clear(pc);
                    }
                    for (int r = 1; r <= 5; r++) s.regs[r] = UNINIT;
                    s.regs[0] = SCALAR;
                }
                case LOAD -> {
                    long base = s.regs[src];
                    access(pc, base, src, off, false);
                    long v = SCALAR;
                    if (isFp(base) && Opcodes.bpfSize(Insn.code(w)) == BPF_DW && kind == InsnKind.LDX) {
                        Long spilled = s.stack.get((int) base + off);
                        if (spilled != null) v = spilled;
                    }
                    s.regs[dst] = v;
                }
                case STORE -> {
                    long base = s.regs[dst];
                    access(pc, base, dst, off, true);
                    if (isFp(base)) {
                        int at = (int) base + off;
                        int size = Opcodes.sizeBytes(Opcodes.bpfSize(Insn.code(w)));
                        s.stack.subMap(at - 7, true, at + size - 1, true).clear();
                        s.stack.put(at, kind == InsnKind.STX && size == 8 ? s.regs[src] : SCALAR);
                    }
                }
                case ATOMIC -> {
                    long base = s.regs[dst];
                    if (ctxLike(base)) throw new BpfException(Errno.EACCES, "insn " + pc + ": BPF_ATOMIC stores into R" + dst + " ctx is not allowed");
                    if (isFp(base)) s.stack.subMap((int) base + off - 7, true, (int) base + off + 7, true).clear();
                    if (kind.isFetch()) s.regs[kind == InsnKind.ATOMIC_CMPXCHG ? 0 : src] = SCALAR;
                }
                case CALL -> {
                    if (kind == InsnKind.CALL_HELPER) {
                        long r1 = s.regs[1];
                        mapAtCall[pc] = isMap(r1) ? mapIndex(r1) : -1;
                    } else if (kind == InsnKind.CALL_LOCAL) {
                        int t = pc + 1 + Insn.imm(w);
                        State callee = new State(new long[MAX_BPF_REG], new TreeMap<>());
                        System.arraycopy(s.regs, 1, callee.regs, 1, 5);
                        callee.regs[BPF_REG_FP] = fp(0);
                        flow(in, work, t, callee);
                    }
                    s.regs[0] = SCALAR;
                    for (int r = 1; r <= 5; r++) s.regs[r] = UNINIT;
                }
                case EXIT -> next = -1;
                case JMP -> {
                    int t = kind == InsnKind.GOTOL ? pc + 1 + Insn.imm(w) : pc + 1 + off;
                    flow(in, work, t, s);
                    if (kind == InsnKind.JA || kind == InsnKind.GOTOL) next = -1;
                }
                default -> { }
            }
            if (next >= 0 && next < n) flow(in, work, next, s);
        }
    }

    private static int Opcodes_bpfClass(long w) {
        return bpfClass(Insn.code(w));
    }

    private void access(int pc, long base, int reg, int off, boolean write) throws BpfException {
        if (base == CTX) {
            ctxAccess.set(pc);
        } else if (base == MODIFIED_CTX) {
            throw new BpfException(Errno.EACCES, "insn " + pc + ": dereference of modified ctx ptr R" + reg + " off=" + off + " disallowed");
        } else if (base == MIXED_CTX) {
            throw new BpfException(Errno.EINVAL, "insn " + pc + ": same insn cannot be used with different pointers");
        }
    }

    private static void flow(State[] in, ArrayDeque<Integer> work, int target, State s) {
        if (in[target] == null) {
            in[target] = s.copy();
            work.add(target);
        } else if (merge(in[target], s)) {
            work.add(target);
        }
    }
}
