package org.obpf.jit.nfp;

import static org.obpf.api.insn.Opcodes.*;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import org.obpf.api.insn.Insn;
import org.obpf.api.prog.ProgramType;

/**
 * The register facts the NFP translator needs from the verifier ({@code nfp_insn_meta.ptr},
 * {@code arg1}/{@code arg2}, the exit value): a forward dataflow over every path that tracks, per
 * register and per 8-byte stack spill slot, the pointer kind (context, stack with its offset from
 * the frame pointer, packet, packet end, map value, map pointer) or a scalar with its value when
 * constant. Different kinds meeting at a join become {@link Kind#MIXED}: the kernel's
 * "ptr type changed" refusal. The program is assumed verified; this only classifies.
 */
final class PtrTypes {

    enum Kind { NOT_INIT, SCALAR, CTX, STACK, PACKET, PACKET_END, MAP_VALUE, MAP_PTR, MIXED }

    /**
     * One abstract value.
     *
     * @param kind what it is
     * @param val  stack offset from the frame pointer, map index, or scalar value; null when not constant
     * @param u32  a scalar known to be below 2^32 (the verifier's {@code umax_value <= U32_MAX})
     */
    record Val(Kind kind, Long val, boolean u32) {
        static final Val NOT_INIT = new Val(Kind.NOT_INIT, null);
        static final Val UNKNOWN = new Val(Kind.SCALAR, null);
        static final Val UNKNOWN_U32 = new Val(Kind.SCALAR, null, true);
        static final Val MIXED = new Val(Kind.MIXED, null);

        Val(Kind kind, Long val) {
            this(kind, val, kind == Kind.SCALAR && val != null && val >= 0 && val <= 0xffffffffL);
        }

        static Val scalar(long v) { return new Val(Kind.SCALAR, v); }

        boolean isConst() { return kind == Kind.SCALAR && val != null; }

        Val join(Val o) {
            if (equals(o)) return this;
            if (kind == Kind.NOT_INIT) return o;
            if (o.kind == Kind.NOT_INIT) return this;
            if (kind != o.kind) return MIXED;
            return new Val(kind, null, u32 && o.u32);
        }

        @Override
        public String toString() {
            return kind + (val == null ? "" : "(" + val + ")") + (u32 && val == null ? "(u32)" : "");
        }
    }

    /** Register file plus 8-byte stack slots (by frame-pointer offset) at one point. */
    static final class State {
        final Val[] regs = new Val[MAX_BPF_REG];
        final Map<Long, Val> slots = new HashMap<>();

        State copy() {
            State s = new State();
            System.arraycopy(regs, 0, s.regs, 0, regs.length);
            s.slots.putAll(slots);
            return s;
        }

        /** Joins {@code o} into this; true if anything changed. */
        boolean join(State o) {
            boolean changed = false;
            for (int i = 0; i < regs.length; i++) {
                Val j = regs[i].join(o.regs[i]);
                if (!j.equals(regs[i])) {
                    regs[i] = j;
                    changed = true;
                }
            }
            for (var it = slots.entrySet().iterator(); it.hasNext();) {
                var e = it.next();
                Val other = o.slots.get(e.getKey());
                Val j = other == null ? Val.UNKNOWN : e.getValue().join(other);
                if (!j.equals(e.getValue())) {
                    e.setValue(j);
                    changed = true;
                }
            }
            return changed;
        }
    }

    // XDP and __sk_buff context offsets the NFP reads (struct xdp_md, struct __sk_buff)
    static final int XDP_DATA = 0, XDP_DATA_END = 4, XDP_RX_QUEUE_INDEX = 16;
    static final int SKB_LEN = 0, SKB_DATA = 76, SKB_DATA_END = 80;

    private final long[] insns;
    private final ProgramType type;
    /** In-state of each slot; null for unreachable slots and second halves of lddw. */
    final State[] in;

    PtrTypes(long[] insns, ProgramType type) {
        this.insns = insns;
        this.type = type;
        this.in = new State[insns.length];
        State entry = new State();
        for (int r = 0; r < MAX_BPF_REG; r++) entry.regs[r] = Val.NOT_INIT;
        entry.regs[1] = new Val(Kind.CTX, 0L);
        entry.regs[BPF_REG_FP] = new Val(Kind.STACK, 0L);
        run(entry);
    }

    /** The value of register {@code reg} before slot {@code pc}. */
    Val reg(int pc, int reg) {
        return in[pc] == null ? Val.NOT_INIT : in[pc].regs[reg];
    }

    private void run(State entry) {
        ArrayDeque<Integer> work = new ArrayDeque<>();
        in[0] = entry;
        work.add(0);
        while (!work.isEmpty()) {
            int pc = work.poll();
            State s = in[pc].copy();
            long w = insns[pc];
            int code = Insn.code(w);
            int cls = bpfClass(code);
            int next = pc + 1;
            if (isLdImm64(code)) {
                next = pc + 2;
                int src = Insn.src(w);
                long value = (Insn.imm(w) & 0xffffffffL) | ((long) Insn.imm(insns[pc + 1]) << 32);
                s.regs[Insn.dst(w)] = switch (src) {
                    case 0 -> Val.scalar(value);
                    case BPF_PSEUDO_MAP_IDX -> new Val(Kind.MAP_PTR, (long) Insn.imm(w));
                    case BPF_PSEUDO_MAP_IDX_VALUE -> new Val(Kind.MAP_VALUE, null);
                    default -> Val.UNKNOWN;
                };
                flow(work, next, s);
                continue;
            }
            switch (cls) {
                case BPF_ALU64, BPF_ALU -> alu(s, w, cls == BPF_ALU64);
                case BPF_LDX -> s.regs[Insn.dst(w)] = load(s, w);
                case BPF_LD -> { // legacy packet loads: r0 = data, r1..r5 clobbered
                    s.regs[0] = Val.UNKNOWN_U32;
                    for (int r = 1; r <= 5; r++) s.regs[r] = Val.NOT_INIT;
                }
                case BPF_STX, BPF_ST -> store(s, w, cls == BPF_STX);
                case BPF_JMP, BPF_JMP32 -> {
                    int op = bpfOp(code);
                    if (op == BPF_EXIT) continue;
                    if (op == BPF_CALL) {
                        s.regs[0] = Insn.imm(w) == 1 ? new Val(Kind.MAP_VALUE, null) : Insn.imm(w) == 7 ? Val.UNKNOWN_U32 : Val.UNKNOWN;
                        for (int r = 1; r <= 5; r++) s.regs[r] = Val.NOT_INIT;
                        if (Insn.imm(w) == 44 || Insn.imm(w) == 65) { // the packet moved: old packet pointers are dead
                            for (int r = 6; r <= 9; r++) if (isPacket(s.regs[r])) s.regs[r] = Val.UNKNOWN;
                        }
                    } else {
                        int target = pc + 1 + (cls == BPF_JMP32 && op == BPF_JA ? Insn.imm(w) : Insn.off(w));
                        flow(work, target, s.copy());
                        if (op == BPF_JA) continue;
                    }
                }
                default -> { }
            }
            flow(work, next, s);
        }
    }

    private static boolean isPacket(Val v) {
        return v.kind() == Kind.PACKET || v.kind() == Kind.PACKET_END;
    }

    private void flow(ArrayDeque<Integer> work, int target, State s) {
        if (target < 0 || target >= insns.length) return;
        if (in[target] == null) {
            in[target] = s;
            work.add(target);
        } else if (in[target].join(s)) {
            work.add(target);
        }
    }

    private static void alu(State s, long w, boolean wide) {
        int code = Insn.code(w), op = bpfOp(code), dst = Insn.dst(w), src = Insn.src(w);
        boolean x = bpfSrc(code) == BPF_X;
        Val d = s.regs[dst];
        Val o = x ? s.regs[src] : Val.scalar(Insn.imm(w));
        if (!wide) {
            if (op == BPF_MOV && !x) s.regs[dst] = Val.scalar(Insn.imm(w) & 0xffffffffL);
            else if (d.isConst() && o.isConst() && constOp(op, d.val(), o.val()) != null) s.regs[dst] = Val.scalar(constOp(op, d.val(), o.val()) & 0xffffffffL);
            else s.regs[dst] = Val.UNKNOWN_U32; // 32-bit results are zero-extended
            return;
        }
        if (op == BPF_MOV) {
            s.regs[dst] = o;
            return;
        }
        if (d.kind() == Kind.SCALAR && !(d.isConst() && o.isConst())) {
            // what keeps a scalar below 2^32: masks, right shifts of 32 and more, and ops of two such values that cannot grow
            boolean u32 = switch (op) {
                case BPF_AND -> d.u32() || o.u32() && o.kind() == Kind.SCALAR;
                case BPF_RSH -> d.u32() || !x && Insn.imm(w) >= 32;
                case BPF_OR, BPF_XOR -> d.u32() && o.u32() && o.kind() == Kind.SCALAR;
                default -> false;
            };
            if (u32) {
                s.regs[dst] = Val.UNKNOWN_U32;
                return;
            }
        }
        boolean dPtr = d.kind() != Kind.SCALAR && d.kind() != Kind.NOT_INIT && d.kind() != Kind.MIXED;
        boolean oPtr = o.kind() != Kind.SCALAR && o.kind() != Kind.NOT_INIT && o.kind() != Kind.MIXED;
        if ((op == BPF_ADD || op == BPF_SUB) && dPtr && !oPtr) {
            Long off = d.val() != null && o.isConst() && d.kind() == Kind.STACK ? (op == BPF_ADD ? d.val() + o.val() : d.val() - o.val()) : null;
            s.regs[dst] = new Val(d.kind(), d.kind() == Kind.MAP_PTR ? null : off);
        } else if (op == BPF_ADD && oPtr && !dPtr) {
            Long off = o.val() != null && d.isConst() && o.kind() == Kind.STACK ? o.val() + d.val() : null;
            s.regs[dst] = new Val(o.kind(), off);
        } else if (d.isConst() && o.isConst() && constOp(op, d.val(), o.val()) != null) {
            s.regs[dst] = Val.scalar(constOp(op, d.val(), o.val()));
        } else {
            s.regs[dst] = Val.UNKNOWN;
        }
    }

    private static Long constOp(int op, long a, long b) {
        return switch (op) {
            case BPF_ADD -> a + b;
            case BPF_SUB -> a - b;
            case BPF_AND -> a & b;
            case BPF_OR -> a | b;
            case BPF_XOR -> a ^ b;
            case BPF_LSH -> a << (b & 63);
            case BPF_RSH -> a >>> (b & 63);
            case BPF_NEG -> -a;
            default -> null;
        };
    }

    private Val load(State s, long w) {
        Val base = s.regs[Insn.src(w)];
        int off = Insn.off(w);
        if (base.kind() == Kind.CTX && bpfSize(Insn.code(w)) == BPF_W) {
            if (type == ProgramType.XDP) {
                if (off == XDP_DATA) return new Val(Kind.PACKET, null);
                if (off == XDP_DATA_END) return new Val(Kind.PACKET_END, null);
            } else {
                if (off == SKB_DATA) return new Val(Kind.PACKET, null);
                if (off == SKB_DATA_END) return new Val(Kind.PACKET_END, null);
            }
        }
        if (base.kind() == Kind.STACK && base.val() != null && bpfSize(Insn.code(w)) == BPF_DW) {
            Val spilled = s.slots.get(base.val() + off);
            if (spilled != null) return spilled;
        }
        return bpfSize(Insn.code(w)) == BPF_DW ? Val.UNKNOWN : Val.UNKNOWN_U32;
    }

    private static void store(State s, long w, boolean reg) {
        Val base = s.regs[Insn.dst(w)];
        if (base.kind() != Kind.STACK) return;
        if (base.val() == null) {
            s.slots.clear(); // a store through a variable stack pointer may hit any slot
            return;
        }
        long at = base.val() + Insn.off(w);
        int size = sizeBytes(bpfSize(Insn.code(w)));
        s.slots.keySet().removeIf(k -> k < at + size && at < k + 8);
        if (size == 8) s.slots.put(at, reg ? s.regs[Insn.src(w)] : Val.scalar(Insn.imm(w)));
    }
}
