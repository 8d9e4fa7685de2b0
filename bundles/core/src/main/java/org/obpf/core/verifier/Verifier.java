package org.obpf.core.verifier;

import static org.obpf.api.insn.Opcodes.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Deque;
import java.util.List;
import org.obpf.api.insn.DecodedInsn;
import org.obpf.api.insn.InsnDecoder;
import org.obpf.api.insn.InsnKind;
import org.obpf.api.insn.InvalidInsnException;
import org.obpf.api.map.MapSpec;
import org.obpf.api.map.MapType;
import org.obpf.api.prog.ProgramType;
import org.obpf.api.text.Disassembler;

/**
 * The checker, after the kernel's {@code bpf_check}: structural validation ({@link InsnDecoder}),
 * {@code check_cfg} (every instruction reachable), then {@code do_check}: a depth-first abstract
 * interpretation of every path with a stack of pending branches, pruned where a stored state at
 * the same instruction already covers the current one ({@code is_state_visited}), and finally
 * {@code check_max_stack_depth}. Loops are explored iteration by iteration until their states
 * repeat (an exact repeat of a state still being explored is an infinite loop) or the
 * processed-instruction limit is reached.
 *
 * <p>Policy: the loader is privileged (CAP_BPF + CAP_PERFMON) except that reading uninitialised
 * stack is refused, as for unprivileged loaders. Pruning compares only registers that are live
 * (a static liveness pass), only stack slots some path from the stored state read before writing
 * them (read marks, the kernel's REG_LIVE_READ for the stack) and only the scalars marked precise
 * (mark_chain_precision: backtracking over each path's instruction history); other scalars match
 * any scalar.
 */
public final class Verifier {
    static final int MAX_CALL_FRAMES = 8;
    static final long BPF_MAX_VAR_OFF = 1L << 29;
    static final long BPF_MAX_VAR_SIZ = 1L << 29;
    static final int MAX_PACKET_OFF = 0xffff;
    static final int BPF_COMPLEXITY_LIMIT_JMP_SEQ = 8192;
    static final String[] ALU_STRING = {"+=", "-=", "*=", "/=", "|=", "&=", "<<=", ">>=", "neg", "%=", "^=", "=",
            "s>>=", "endian"};

    private final long[] prog;
    private final VerifierOptions opts;
    private final ProgramType type;
    /** The program's maps, then the inner map templates of its map-in-map maps. */
    private final List<MapSpec> maps;
    /** The program's own maps (what lddw may name). */
    private final int progMaps;
    /** By map index: the index in {@link #maps} of its inner map template, or -1. */
    private final int[] innerOf;
    private final DecodedInsn[] insns;
    private final int[] subprogOf;
    private final int[] subprogStart;
    private final int[] subprogDepth;
    private final boolean[] prunePoint;
    private final boolean[] callbackCall;
    private final int[] liveIn;
    private final CtxAccess[] ctxAux;
    /** The pointer type each memory instruction went through first (insn_aux_data.ptr_type). */
    private final RegType[] ptrType;
    private final boolean[] seen;
    private final Explored[] explored;
    private final StringBuilder log = new StringBuilder();
    private final StringBuilder pathLog = new StringBuilder();

    private int idGen;
    private int processed;
    private int totalStates;
    private int curStates;
    private int peakStates;
    private int maxStatesPerInsn;
    private int insnIdx;
    private State st;

    /** A rejection: thrown from deep inside a check, caught by {@link #run()}. */
    private static final class Reject extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int insn;

        Reject(int insn, String message) {
            super(message, null, false, false);
            this.insn = insn;
        }
    }

    private Verifier(long[] prog, VerifierOptions opts, List<DecodedInsn> decoded) {
        this.prog = prog;
        this.opts = opts;
        this.type = opts.type();
        List<MapSpec> all = new ArrayList<>(opts.maps());
        progMaps = all.size();
        innerOf = new int[progMaps];
        Arrays.fill(innerOf, -1);
        for (var e : new java.util.TreeMap<>(opts.innerMaps()).entrySet()) {
            innerOf[e.getKey()] = all.size();
            all.add(e.getValue());
        }
        this.maps = List.copyOf(all);
        int n = prog.length;
        insns = new DecodedInsn[n];
        for (DecodedInsn d : decoded) insns[d.index()] = d;
        BitSet starts = new BitSet(n);
        starts.set(0);
        for (DecodedInsn d : decoded) {
            if (d.kind() == InsnKind.CALL_LOCAL || d.kind() == InsnKind.LD_IMM64 && d.src() == BPF_PSEUDO_FUNC) {
                starts.set(d.index() + 1 + d.imm());
            }
        }
        subprogStart = starts.stream().toArray();
        subprogOf = new int[n];
        for (int s = 0; s < subprogStart.length; s++) {
            int end = s + 1 < subprogStart.length ? subprogStart[s + 1] : n;
            Arrays.fill(subprogOf, subprogStart[s], end, s);
        }
        subprogDepth = new int[subprogStart.length];
        prunePoint = new boolean[n];
        callbackCall = new boolean[n];
        ctxAux = new CtxAccess[n];
        ptrType = new RegType[n];
        seen = new boolean[n];
        explored = new Explored[n];
        liveIn = Liveness.liveIn(insns);
    }

    /** Verifies {@code prog}; never throws for a bad program (that is a rejection). */
    public static VerifierResult verify(long[] prog, VerifierOptions opts) {
        long t0 = System.nanoTime();
        List<DecodedInsn> decoded;
        try {
            decoded = InsnDecoder.decode(prog);
        } catch (InvalidInsnException e) {
            String log = e.index() + ": " + e.reason() + "\n";
            return new VerifierResult(false, e.reason(), e.index(), log, 0, 0, 0, 0,
                    System.nanoTime() - t0, List.of(), List.of());
        }
        Verifier v = new Verifier(prog, opts, decoded);
        return v.run(t0);
    }

    private VerifierResult run(long t0) {
        String error = null;
        int errorInsn = -1;
        try {
            try {
                checkCfg();
                doCheck();
                checkMaxStackDepth();
            } catch (RuntimeException e) {
                if (e instanceof Reject) throw e;
                // The kernel answers its own bugs with EFAULT and "verifier bug"; so do we, never accepting.
                throw new Reject(insnIdx, "verifier bug: " + e);
            }
        } catch (Reject r) {
            error = r.getMessage();
            errorInsn = r.insn;
            if (opts.logLevel() == 1) log.append(pathLog);
            if (opts.logLevel() == 1 && inDoCheck) log.append(r.insn).append(": ").append(st.format(maps)).append('\n');
            log.append(error).append('\n');
        }
        if (opts.logLevel() >= 1) {
            log.append("processed ").append(processed).append(" insns (limit ").append(opts.insnLimit())
                    .append(") max_states_per_insn ").append(maxStatesPerInsn).append(" total_states ")
                    .append(totalStates).append(" peak_states ").append(peakStates).append(" mark_read 0\n");
        }
        List<InsnAux> aux = new ArrayList<>(prog.length);
        for (int i = 0; i < prog.length; i++) {
            aux.add(seen[i] || ctxAux[i] != null || ptrType[i] != null ? new InsnAux(seen[i], ctxAux[i], ptrType[i]) : InsnAux.UNSEEN);
        }
        List<Integer> depths = new ArrayList<>();
        for (int d : subprogDepth) depths.add(d);
        return new VerifierResult(error == null, error, errorInsn, log.toString(), processed, totalStates, peakStates,
                maxStatesPerInsn, System.nanoTime() - t0, List.copyOf(aux), List.copyOf(depths));
    }

    private Reject reject(String message) {
        return new Reject(insnIdx, message);
    }

    // ------------------------------------------------------------------ check_cfg

    /** Reachability over jumps, calls and callbacks; marks prune points (jump targets, after branches and calls). */
    private void checkCfg() {
        int n = prog.length;
        BitSet reached = new BitSet(n);
        Deque<Integer> work = new ArrayDeque<>();
        work.push(0);
        for (DecodedInsn d : insns) {
            if (d != null && d.kind() == InsnKind.LD_IMM64 && d.src() == BPF_PSEUDO_FUNC) {
                prunePoint[funcTarget(d)] = true;
            }
        }
        while (!work.isEmpty()) {
            int pc = work.pop();
            if (reached.get(pc)) continue;
            reached.set(pc);
            DecodedInsn d = insns[pc];
            switch (d.kind()) {
                case EXIT -> { }
                case JA, GOTOL -> {
                    prunePoint[d.target()] = true;
                    work.push(d.target());
                }
                case CALL_LOCAL -> {
                    prunePoint[d.target()] = true;
                    prunePoint[pc + 1] = true;
                    work.push(d.target());
                    work.push(pc + 1);
                }
                case CALL_HELPER -> {
                    if (d.imm() == HelperProto.LOOP || d.imm() == HelperProto.FOR_EACH_MAP_ELEM) {
                        callbackCall[pc] = true;
                        prunePoint[pc] = true;
                    }
                    prunePoint[pc + 1] = true;
                    work.push(pc + 1);
                }
                case LD_IMM64 -> {
                    if (d.src() == BPF_PSEUDO_FUNC) work.push(funcTarget(d));
                    work.push(pc + 2);
                }
                default -> {
                    if (d.kind().isConditionalJump()) {
                        prunePoint[d.target()] = true;
                        prunePoint[pc + 1] = true;
                        work.push(d.target());
                    }
                    work.push(pc + 1);
                }
            }
        }
        for (int pc = 0; pc < n; pc++) {
            if (insns[pc] != null && !reached.get(pc)) {
                insnIdx = pc;
                throw reject("unreachable insn " + pc);
            }
        }
    }

    // ------------------------------------------------------------------ do_check

    private State initialState() {
        State s = new State();
        FuncState f = new FuncState(0, -1, 0, false);
        if (type == ProgramType.FLAT) {
            f.regs[1] = Reg.pointer(RegType.PTR_TO_MEM, 0).withMem(opts.flatMemSize(), false);
            f.regs[2] = Reg.known(opts.flatMemSize());
        } else {
            f.regs[1] = Reg.pointer(RegType.PTR_TO_CTX, 0);
        }
        s.frames.add(f);
        s.insn = 0;
        return s;
    }

    private final Deque<State> pending = new ArrayDeque<>();

    private void push(State s) {
        if (s.parent != null) s.parent.branches++;
        pending.push(s);
        if (pending.size() > BPF_COMPLEXITY_LIMIT_JMP_SEQ) {
            throw reject("The sequence of " + pending.size() + " jumps is too complex.");
        }
    }

    /** update_branch_counts: this path is finished. */
    private void endPath(State s) {
        State.Checkpoint cp = s.parent;
        while (cp != null) {
            if (--cp.branches > 0) break;
            completed(cp);
            cp = cp.parent;
        }
    }

    private boolean inDoCheck;

    private void doCheck() {
        inDoCheck = true;
        st = initialState();
        pathLog.setLength(0);
        for (;;) {
            insnIdx = st.insn;
            if (++processed > opts.insnLimit()) {
                throw reject("BPF program is too large. Processed " + processed + " insn");
            }
            if (prunePoint[insnIdx] && isStateVisited()) {
                if (opts.logLevel() >= 1) logLine(insnIdx + ": safe");
                endPath(st);
                if (!popState()) break;
                continue;
            }
            seen[insnIdx] = true;
            if (opts.logLevel() >= 2) logLine(insnIdx + ": " + st.format(maps));
            if (opts.logLevel() >= 1) {
                logLine(insnIdx + ": (" + String.format("%02x", insns[insnIdx].code()) + ") "
                        + Disassembler.format(prog, insnIdx));
            }
            int cls = insns[insnIdx].bpfClass();
            if (cls == BPF_JMP || cls == BPF_JMP32) jmpsProcessed++;
            st.histPush(insnIdx, st.curFrame());
            boolean pathDone = step(insns[insnIdx]);
            if (pathDone) {
                endPath(st);
                if (!popState()) break;
            }
        }
        inDoCheck = false;
    }

    private boolean popState() {
        State next = pending.poll();
        if (next == null) return false;
        if (opts.logLevel() == 1) pathLog.setLength(0);
        st = next;
        if (opts.logLevel() >= 1) {
            logLine("from " + next.prevInsn + " to " + next.insn + ": " + next.format(maps));
        }
        return true;
    }

    private void logLine(String line) {
        StringBuilder sb = opts.logLevel() == 1 ? pathLog : log;
        sb.append(line).append('\n');
    }

    /** Executes one instruction on {@link #st}; true when the path ended (exit of the main program). */
    private boolean step(DecodedInsn d) {
        Reg[] regs = st.regs();
        switch (d.kind().group()) {
            case ALU -> {
                checkAlu(d, regs);
                st.insn = insnIdx + 1;
            }
            case JMP -> {
                if (d.kind() == InsnKind.JA || d.kind() == InsnKind.GOTOL) {
                    st.insn = d.target();
                } else {
                    return checkCondJmp(d);
                }
            }
            case CALL -> {
                switch (d.kind()) {
                    case CALL_LOCAL -> checkFuncCall(d);
                    case CALL_HELPER -> checkHelperCall(d);
                    default -> throw reject("kernel function calls are not supported");
                }
            }
            case EXIT -> {
                return checkExit();
            }
            case LD_IMM64 -> {
                checkLdImm(d, regs);
                st.insn = insnIdx + 2;
            }
            case LD_PACKET -> {
                checkLdAbs(d, regs);
                st.insn = insnIdx + 1;
            }
            case LOAD -> {
                readReg(d.src());
                Reg v = access(d.src(), d.off(), d.sizeBytes(), false, null, d.kind() == InsnKind.LDXSX);
                regs[d.dst()] = v;
                st.insn = insnIdx + 1;
            }
            case STORE -> {
                readReg(d.dst());
                Reg value;
                if (d.kind() == InsnKind.STX) {
                    value = readReg(d.src());
                } else {
                    value = Reg.known(d.imm()); // into the context too, where the field is writable (Linux 6.3+)
                }
                spillSrc = d.kind() == InsnKind.STX ? d.src() : -1;
                access(d.dst(), d.off(), d.sizeBytes(), true, value, false);
                spillSrc = -1;
                st.insn = insnIdx + 1;
            }
            case ATOMIC -> {
                checkAtomic(d, regs);
                st.insn = insnIdx + 1;
            }
        }
        return false;
    }

    /** The register a STX stores (for the spill's scalar id), -1 for other writes. */
    private int spillSrc = -1;

    private Reg readReg(int r) {
        Reg v = st.regs()[r];
        if (!v.isInit()) throw reject("R" + r + " !read_ok");
        return v;
    }

    // ------------------------------------------------------------------ ALU

    private void checkAlu(DecodedInsn d, Reg[] regs) {
        int op = bpfOp(d.code());
        boolean alu32 = d.bpfClass() == BPF_ALU;
        int dst = d.dst();
        switch (d.kind()) {
            case NEG -> {
                Reg r = readReg(dst);
                // of a pointer: a meaningless scalar (privileged: allow_ptr_leaks)
                if (r.isPointer()) {
                    regs[dst] = Reg.UNKNOWN;
                    return;
                }
                regs[dst] = Reg.scalar(Scalar.alu(BPF_NEG, alu32, r.s(), Scalar.constant(0)));
                return;
            }
            case LE, BE, BSWAP -> {
                Reg r = readReg(dst);
                if (r.isPointer()) {
                    regs[dst] = Reg.UNKNOWN;
                    return;
                }
                int bits = d.imm();
                Scalar s = r.s();
                if (d.kind() == InsnKind.LE) {
                    s = s.truncate(bits / 8); // little-endian host: a truncation
                } else if (s.isConst()) {
                    long v = s.constValue();
                    s = Scalar.constant(switch (bits) {
                        case 16 -> Short.reverseBytes((short) v) & 0xffffL;
                        case 32 -> Integer.reverseBytes((int) v) & 0xffffffffL;
                        default -> Long.reverseBytes(v);
                    });
                } else {
                    s = bits == 64 ? Scalar.UNKNOWN : Scalar.unsignedRange(0, (1L << bits) - 1);
                }
                regs[dst] = Reg.scalar(s);
                return;
            }
            case MOV, MOVSX -> {
                if (d.srcIsReg()) {
                    Reg src = readReg(d.src());
                    if (d.kind() == InsnKind.MOVSX) {
                        // Of a pointer: a meaningless scalar (privileged, allow_ptr_leaks), as for a 32-bit copy.
                        Scalar s = src.isPointer() ? Scalar.UNKNOWN : src.s().signExtend(d.off());
                        regs[dst] = Reg.scalar(alu32 ? s.zext32() : s);
                    } else if (!alu32) {
                        if (src.isScalar() && !src.s().isConst() && src.id() == 0) {
                            // link the two copies: a branch on one refines the other (find_equal_scalars)
                            src = src.withId(++idGen);
                            regs[d.src()] = src;
                        }
                        regs[dst] = src;
                    } else {
                        // 32-bit copy: of a pointer it is a meaningless scalar (privileged)
                        regs[dst] = Reg.scalar(src.isScalar() ? src.s().zext32() : Scalar.UNKNOWN.zext32());
                    }
                } else {
                    regs[dst] = Reg.known(alu32 ? d.imm() & 0xffffffffL : d.imm());
                }
                return;
            }
            default -> { }
        }
        Reg dr = readReg(dst);
        Reg sr;
        if (d.srcIsReg()) {
            sr = readReg(d.src());
        } else {
            sr = Reg.known(d.imm());
            if ((op == BPF_DIV || op == BPF_MOD) && d.imm() == 0) throw reject("division by zero");
            if ((op == BPF_LSH || op == BPF_RSH || op == BPF_ARSH) && (d.imm() < 0 || d.imm() >= (alu32 ? 32 : 64))) {
                throw reject("invalid shift " + d.imm());
            }
        }
        if (dr.isPointer() || sr.isPointer()) {
            regs[dst] = pointerAlu(d, op, alu32, dr, sr);
            // the offset's value decides where the pointer points (adjust_reg_min_max_vals)
            if (dr.isScalar()) markPrecise(dst);
            if (d.srcIsReg() && sr.isScalar()) markPrecise(d.src());
            return;
        }
        regs[dst] = Reg.scalar(Scalar.alu(op, alu32, dr.s(), sr.s()));
    }

    /** adjust_ptr_min_max_vals (and the pointer-pointer cases of adjust_reg_min_max_vals). */
    private Reg pointerAlu(DecodedInsn d, int op, boolean alu32, Reg dr, Reg sr) {
        int dst = d.dst();
        if (dr.isPointer() && sr.isPointer()) {
            if (op == BPF_SUB) return Reg.UNKNOWN; // pointer difference, 32-bit too (privileged)
            throw reject("R" + dst + " pointer " + ALU_STRING[op >> 4] + " pointer prohibited");
        }
        boolean dstIsPtr = dr.isPointer();
        Reg ptr = dstIsPtr ? dr : sr;
        Reg offReg = dstIsPtr ? sr : dr;
        if (alu32) {
            if (op == BPF_SUB) return Reg.UNKNOWN;
            throw reject("R" + dst + " 32-bit pointer arithmetic prohibited");
        }
        if (ptr.maybeNull()) {
            throw reject("R" + dst + " pointer arithmetic on " + ptr.typeName() + " prohibited, null-check it first");
        }
        Scalar off = offReg.s();
        boolean known = off.isConst();
        switch (ptr.type()) {
            case PTR_TO_CTX, PTR_TO_MAP_VALUE, PTR_TO_MAP_KEY, PTR_TO_STACK, PTR_TO_PACKET_META, PTR_TO_PACKET,
                 PTR_TO_MEM -> { }
            case CONST_PTR_TO_MAP -> {
                if (!(known && off.smin() == 0 && op == BPF_ADD)) {
                    throw reject("R" + dst + " pointer arithmetic on " + ptr.typeName() + " prohibited");
                }
            }
            default -> throw reject("R" + dst + " pointer arithmetic on " + ptr.typeName() + " prohibited");
        }
        checkSaneOffset(offReg, ptr);
        checkSaneOffset(ptr, ptr);
        Reg res;
        switch (op) {
            case BPF_ADD -> {
                long sum = ptr.off() + off.smin();
                if (known && sum == (int) sum) {
                    res = ptr.withOff((int) sum);
                } else {
                    res = ptr.withScalar(Scalar.alu(BPF_ADD, false, ptr.s(), off));
                    if (ptr.type().isPacket()) res = res.withId(++idGen).withRange(0);
                }
            }
            case BPF_SUB -> {
                if (!dstIsPtr) throw reject("R" + dst + " tried to subtract pointer from scalar");
                // JITs might not cope with a frame pointer moved down by subtraction (the kernel's reason)
                if (ptr.type() == RegType.PTR_TO_STACK) throw reject("R" + dst + " subtraction from stack pointer prohibited");
                long diff = ptr.off() - off.smin();
                if (known && diff == (int) diff) {
                    res = ptr.withOff((int) diff);
                } else {
                    res = ptr.withScalar(Scalar.alu(BPF_SUB, false, ptr.s(), off));
                    if (ptr.type().isPacket()) {
                        res = res.withId(++idGen);
                        if (off.smin() < 0) res = res.withRange(0);
                    }
                }
            }
            case BPF_AND, BPF_OR, BPF_XOR -> throw reject("R" + dst + " bitwise operator " + ALU_STRING[op >> 4]
                    + " on pointer prohibited");
            default -> throw reject("R" + dst + " pointer arithmetic with " + ALU_STRING[op >> 4]
                    + " operator prohibited");
        }
        checkSaneOffset(res, ptr);
        return res;
    }

    /** check_reg_sane_offset. */
    private void checkSaneOffset(Reg reg, Reg ptr) {
        String t = ptr.typeName();
        Scalar s = reg.s();
        if (s.isConst() && (s.constValue() >= BPF_MAX_VAR_OFF || s.constValue() <= -BPF_MAX_VAR_OFF)) {
            throw reject("math between " + t + " pointer and " + s.constValue() + " is not allowed");
        }
        if (reg.off() >= BPF_MAX_VAR_OFF || reg.off() <= -BPF_MAX_VAR_OFF) {
            throw reject(t + " pointer offset " + reg.off() + " is not allowed");
        }
        if (s.smin() == Long.MIN_VALUE) {
            throw reject("math between " + t + " pointer and register with unbounded min value is not allowed");
        }
        if (s.smin() >= BPF_MAX_VAR_OFF || s.smin() <= -BPF_MAX_VAR_OFF) {
            throw reject("value " + s.smin() + " makes " + t + " pointer be out of bounds");
        }
    }

    // ------------------------------------------------------------------ jumps

    /** check_cond_jmp_op; true when neither side of the branch can happen (the path ends). */
    private boolean checkCondJmp(DecodedInsn d) {
        boolean jmp32 = d.bpfClass() == BPF_JMP32;
        int op = bpfOp(d.code());
        Reg dr = readReg(d.dst());
        Reg sr = d.srcIsReg() ? readReg(d.src()) : Reg.known(d.imm());
        int target = d.target();
        int pred = branchTaken(op, jmp32, dr, sr);
        if (pred >= 0) {
            // the outcome rests on the values: they must be precise (check_cond_jmp_op)
            markPreciseIfScalar(d.dst(), dr);
            if (d.srcIsReg()) markPreciseIfScalar(d.src(), sr);
        } else {
            histLinked(dr.isScalar() ? dr.id() : 0, sr.isScalar() && d.srcIsReg() ? sr.id() : 0);
        }
        if (pred == 1) {
            st.prevInsn = insnIdx;
            st.insn = target;
            return false;
        }
        if (pred == 0) {
            st.insn = insnIdx + 1;
            return false;
        }
        State other = st.copy();
        other.insn = target;
        other.prevInsn = insnIdx;
        boolean takenOk = refineBranch(other, d, op, jmp32);
        boolean fallOk = refineBranch(st, d, Scalar.negate(op), jmp32);
        if (dr.isPointer() != sr.isPointer() && d.srcIsReg()) {
            // a pointer against a register: a null check rests on that register being 0
            if (sr.isScalar()) markPrecise(d.src());
            if (dr.isScalar()) markPrecise(d.dst());
        }
        if (!takenOk || !fallOk) {
            // one side is impossible because of the values: as good as a known outcome
            markPreciseIfScalar(d.dst(), dr);
            if (d.srcIsReg()) markPreciseIfScalar(d.src(), sr);
        }
        if (takenOk && fallOk) {
            push(other);
        } else if (takenOk) {
            st = other;
            return false;
        } else if (!fallOk) {
            return true;
        }
        st.insn = insnIdx + 1;
        return false;
    }

    /** is_branch_taken for scalars, and for a pointer against zero. */
    private int branchTaken(int op, boolean jmp32, Reg a, Reg b) {
        if (a.isScalar() && b.isScalar()) return Scalar.branchTaken(op, jmp32, a.s(), b.s());
        Reg ptr = a.isPointer() ? a : b;
        Reg other = a.isPointer() ? b : a;
        // A non-null pointer is not 0; its low 32 bits may be, so JMP32 decides nothing.
        if (jmp32 || !other.isConst() || other.s().constValue() != 0) return -1;
        if (ptr.maybeNull()) return -1;
        return switch (op) {
            case BPF_JEQ -> 0;
            case BPF_JNE -> 1;
            default -> -1;
        };
    }

    /** The knowledge of one side of a branch ({@code op} holds there); false when that side is impossible. */
    private boolean refineBranch(State s, DecodedInsn d, int op, boolean jmp32) {
        Reg[] regs = s.regs();
        Reg dr = regs[d.dst()];
        Reg sr = d.srcIsReg() ? regs[d.src()] : Reg.known(d.imm());
        if (dr.isScalar() && sr.isScalar()) {
            Scalar.Pair p = Scalar.refine(op, jmp32, dr.s(), sr.s());
            if (p == null) return false;
            setScalar(s, d.dst(), dr, p.dst());
            if (d.srcIsReg()) setScalar(s, d.src(), sr, p.src());
            return true;
        }
        // Null checks: a maybe-null pointer compared with 0.
        if ((op == BPF_JEQ || op == BPF_JNE) && !jmp32) {
            Reg ptr = dr.maybeNull() ? dr : sr.maybeNull() ? sr : null;
            Reg other = ptr == dr ? sr : dr;
            if (ptr != null && other.isConst() && other.s().constValue() == 0) {
                markPtrOrNull(s, ptr.id(), op == BPF_JEQ);
                return true;
            }
        }
        matchPktPointers(s, d, op, dr, sr);
        return true;
    }

    /** Sets a refined scalar in a register and in every register linked to it by id. */
    private void setScalar(State s, int regno, Reg old, Scalar v) {
        if (old.id() == 0) {
            s.regs()[regno] = old.withScalar(v);
            return;
        }
        int id = old.id();
        for (FuncState f : s.frames) {
            for (int r = 0; r < f.regs.length; r++) {
                if (f.regs[r].isScalar() && f.regs[r].id() == id) f.regs[r] = f.regs[r].withScalar(v);
            }
            for (int k = 0; k < f.spilled.length; k++) {
                Reg sp = f.spilled[k];
                if (sp != null && sp.isScalar() && sp.id() == id) f.spilled[k] = sp.withScalar(v);
            }
        }
    }

    /** mark_ptr_or_null_regs: every copy of the pointer becomes 0 or a non-null pointer. */
    private void markPtrOrNull(State s, int id, boolean isNull) {
        int refId = 0;
        for (FuncState f : s.frames) {
            for (int r = 0; r < f.regs.length; r++) {
                Reg x = f.regs[r];
                if (x.maybeNull() && x.id() == id) {
                    if (x.refObjId() != 0) refId = x.refObjId();
                    f.regs[r] = isNull ? Reg.known(0) : notNull(x);
                }
            }
            for (int k = 0; k < f.spilled.length; k++) {
                Reg x = f.spilled[k];
                if (x != null && x.maybeNull() && x.id() == id) {
                    if (x.refObjId() != 0) refId = x.refObjId();
                    f.spilled[k] = isNull ? Reg.known(0) : notNull(x);
                }
            }
        }
        if (isNull && refId != 0) s.removeRef(refId); // nothing to release on the null side
    }

    /**
     * mark_ptr_or_null_reg's non-null side: a value of a map-in-map becomes the inner map, a
     * CONST_PTR_TO_MAP of the template ({@code map->inner_map_meta}).
     */
    private Reg notNull(Reg x) {
        if (x.type() == RegType.PTR_TO_MAP_VALUE && x.map() >= 0 && x.map() < progMaps && innerOf[x.map()] >= 0) {
            return Reg.pointer(RegType.CONST_PTR_TO_MAP, 0).withMap(innerOf[x.map()]);
        }
        return x.withMaybeNull(false).withId(0);
    }

    /** try_match_pkt_pointers: a packet pointer compared with pkt_end (or pkt_meta with pkt). */
    private void matchPktPointers(State s, DecodedInsn d, int op, Reg dr, Reg sr) {
        if (!d.srcIsReg() || bpfClass(d.code()) == BPF_JMP32) return;
        boolean dstPkt = dr.type() == RegType.PTR_TO_PACKET && sr.type() == RegType.PTR_TO_PACKET_END
                || dr.type() == RegType.PTR_TO_PACKET_META && isInitPkt(sr, RegType.PTR_TO_PACKET);
        boolean srcPkt = dr.type() == RegType.PTR_TO_PACKET_END && sr.type() == RegType.PTR_TO_PACKET
                || isInitPkt(dr, RegType.PTR_TO_PACKET) && sr.type() == RegType.PTR_TO_PACKET_META;
        if (!dstPkt && !srcPkt) return;
        // Normalise to "ptr OP end".
        Reg ptr = dstPkt ? dr : sr;
        int cmp = dstPkt ? op : Scalar.flip(op);
        switch (cmp) {
            case BPF_JLE -> findGoodPktPointers(s, ptr, false); // ptr <= end
            case BPF_JLT -> findGoodPktPointers(s, ptr, true);  // ptr < end
            default -> { }
        }
    }

    private static boolean isInitPkt(Reg r, RegType t) {
        return r.type() == t && r.off() == 0 && r.s().isConst() && r.s().constValue() == 0;
    }

    private void findGoodPktPointers(State s, Reg ptr, boolean rightOpen) {
        if (ptr.off() < 0 || ptr.off() == 0 && rightOpen) return;
        if (Long.compareUnsigned(ptr.s().umax(), MAX_PACKET_OFF) > 0 || ptr.s().umax() + ptr.off() > MAX_PACKET_OFF) return;
        int newRange = ptr.off() + (rightOpen ? 1 : 0);
        for (FuncState f : s.frames) {
            for (int r = 0; r < f.regs.length; r++) {
                Reg x = f.regs[r];
                if (x.type() == ptr.type() && x.id() == ptr.id() && x.range() < newRange) f.regs[r] = x.withRange(newRange);
            }
            for (int k = 0; k < f.spilled.length; k++) {
                Reg x = f.spilled[k];
                if (x != null && x.type() == ptr.type() && x.id() == ptr.id() && x.range() < newRange) {
                    f.spilled[k] = x.withRange(newRange);
                }
            }
        }
    }

    // ------------------------------------------------------------------ lddw, ld_abs

    private void checkLdImm(DecodedInsn d, Reg[] regs) {
        int dst = d.dst();
        switch (d.src()) {
            case 0 -> regs[dst] = Reg.known(d.imm64());
            case BPF_PSEUDO_MAP_FD, BPF_PSEUDO_MAP_IDX -> regs[dst] = Reg.pointer(RegType.CONST_PTR_TO_MAP, 0).withMap(map(d.imm()));
            case BPF_PSEUDO_MAP_VALUE, BPF_PSEUDO_MAP_IDX_VALUE -> {
                int m = map(d.imm());
                MapSpec spec = maps.get(m);
                if (spec.type() != MapType.ARRAY) throw reject("no direct value access support for this map type");
                int off = (int) (d.imm64() >>> 32);
                if (off < 0 || off >= spec.valueSize()) {
                    throw reject("invalid access to map value pointer, value_size=" + spec.valueSize() + " off=" + off);
                }
                regs[dst] = Reg.pointer(RegType.PTR_TO_MAP_VALUE, off).withMap(m);
            }
            case BPF_PSEUDO_FUNC -> regs[dst] = Reg.pointer(RegType.PTR_TO_FUNC, funcTarget(d));
            default -> throw reject("BTF-typed ld_imm64 is not supported");
        }
    }

    /** The sub-program a {@code lddw} with src BPF_PSEUDO_FUNC names (pc-relative in imm). */
    static int funcTarget(DecodedInsn d) {
        return d.index() + 1 + d.imm();
    }

    private int map(int k) {
        if (k < 0 || k >= progMaps) throw reject("fd " + k + " is not pointing to valid bpf_map");
        return k;
    }

    private void checkLdAbs(DecodedInsn d, Reg[] regs) {
        if (type != ProgramType.SOCKET_FILTER && type != ProgramType.SCHED_CLS && type != ProgramType.SCHED_ACT) {
            throw reject("BPF_LD_[ABS|IND] instructions not allowed for this program type");
        }
        Reg r6 = readReg(6);
        if (r6.type() != RegType.PTR_TO_CTX) throw reject("at the time of BPF_LD_ABS|IND R6 != pointer to skb");
        if (!st.refs.isEmpty()) throw reject("BPF_LD_[ABS|IND] would lead to reference leak");
        if (d.kind() == InsnKind.LD_IND) readReg(d.src());
        for (int r = 1; r <= 5; r++) regs[r] = Reg.NOT_INIT;
        regs[0] = Reg.UNKNOWN; // check_ld_abs: mark_reg_unknown, the load's width is not used
    }

    // ------------------------------------------------------------------ memory

    /**
     * check_mem_access: a load ({@code write} false; returns the loaded value) or a store of
     * {@code value} through register {@code regno} at {@code insnOff}.
     */
    private Reg access(int regno, int insnOff, int size, boolean write, Reg value, boolean signExt) {
        return access(regno, insnOff, size, write, value, signExt, false);
    }

    /** check_mem_access; {@code strictAlign} for atomics, which must be aligned on every pointer type. */
    private Reg access(int regno, int insnOff, int size, boolean write, Reg value, boolean signExt, boolean strictAlign) {
        Reg p = st.regs()[regno];
        // The ctx rewriting pass changes the instruction itself: it must always see the context.
        RegType prev = ptrType[insnIdx];
        if (prev == null) {
            ptrType[insnIdx] = p.type();
        } else if (prev != p.type() && (prev == RegType.PTR_TO_CTX || p.type() == RegType.PTR_TO_CTX)) {
            throw reject("same insn cannot be used with different pointers");
        }
        int off = insnOff + p.off();
        Reg loaded = Reg.UNKNOWN;
        String what = p.typeName();
        if (p.maybeNull() || !p.isPointer() || p.type() == RegType.PTR_TO_PACKET_END
                || p.type() == RegType.CONST_PTR_TO_MAP || p.type() == RegType.PTR_TO_FUNC) {
            throw reject("R" + regno + " invalid mem access '" + what + "'");
        }
        checkAlignment(p, insnOff, size, strictAlign || p.type() == RegType.PTR_TO_STACK);
        switch (p.type()) {
            case PTR_TO_MAP_VALUE -> checkRegion(regno, p, off, size, maps.get(p.map()).valueSize());
            case PTR_TO_MAP_KEY -> {
                if (write) throw reject("write to change key R" + regno + " not allowed");
                checkRegion(regno, p, off, size, maps.get(p.map()).keySize());
            }
            case PTR_TO_MEM -> checkRegion(regno, p, off, size, p.memSize());
            case PTR_TO_CTX -> loaded = ctxAccess(regno, p, off, size, write);
            case PTR_TO_STACK -> loaded = stackAccess(regno, p, insnOff, off, size, write, value);
            case PTR_TO_PACKET, PTR_TO_PACKET_META -> {
                if (write && !CtxAccess.packetWritable(type)) throw reject("cannot write into packet");
                checkPacket(regno, p, off, size);
            }
            default -> throw reject("R" + regno + " invalid mem access '" + what + "'");
        }
        if (write) return null;
        if (loaded.isScalar() && size < 8) {
            Scalar t = signExt ? loaded.s().signExtend(size * 8) : loaded.s().truncate(size);
            // coerce_reg_to_size: a fill of a value that fits keeps its id (the link to the spilled copy)
            loaded = t.equals(loaded.s()) ? loaded : Reg.scalar(t);
        }
        return loaded;
    }

    /**
     * check_ptr_alignment: the stack is always strictly aligned (spill tracking relies on it), other
     * memory only for atomics (x86-64 loads and stores need no alignment; NET_IP_ALIGN is 0).
     */
    private void checkAlignment(Reg p, int insnOff, int size, boolean strict) {
        if (!strict || size == 1 || p.type().isPacket()) return;
        Tnum regOff = p.s().var().add(Tnum.constant(p.off() + insnOff));
        if (regOff.isAligned(size)) return;
        String desc = switch (p.type()) {
            case PTR_TO_STACK -> "stack ";
            case PTR_TO_MAP_VALUE -> "value ";
            case PTR_TO_MAP_KEY -> "key ";
            case PTR_TO_CTX -> "context ";
            default -> "";
        };
        throw reject("misaligned " + desc + "access off " + p.s().var() + "+" + p.off() + "+" + insnOff + " size " + size);
    }

    /** check_mem_region_access with __check_mem_access's messages. */
    private void checkRegion(int regno, Reg p, int off, int size, long memSize) {
        Scalar v = p.s();
        if (v.smin() < 0 && (v.smin() == Long.MIN_VALUE || off + v.smin() != (int) (off + v.smin()) || v.smin() + off < 0)) {
            throw reject("R" + regno + " min value is negative, either use unsigned index or do a if (index >=0) check.");
        }
        if (!memOk(v.smin() + off, size, memSize)) {
            throw reject(memMessage(regno, p, v.smin() + off, size, memSize) + "\nR" + regno
                    + " min value is outside of the allowed memory range");
        }
        if (Long.compareUnsigned(v.umax(), BPF_MAX_VAR_OFF) >= 0) {
            throw reject("R" + regno + " unbounded memory access, make sure to bounds check any such access");
        }
        if (!memOk(v.umax() + off, size, memSize)) {
            throw reject(memMessage(regno, p, v.umax() + off, size, memSize) + "\nR" + regno
                    + " max value is outside of the allowed memory range");
        }
    }

    private static boolean memOk(long off, int size, long memSize) {
        return off >= 0 && off + size <= memSize;
    }

    private String memMessage(int regno, Reg p, long off, int size, long memSize) {
        return switch (p.type()) {
            case PTR_TO_MAP_VALUE -> "invalid access to map value, value_size=" + memSize + " off=" + off + " size=" + size;
            case PTR_TO_MAP_KEY -> "invalid access to map key, key_size=" + memSize + " off=" + off + " size=" + size;
            default -> "invalid access to memory, mem_size=" + memSize + " off=" + off + " size=" + size;
        };
    }

    /** check_packet_access. */
    private void checkPacket(int regno, Reg p, int off, int size) {
        if (p.s().smin() < 0) {
            throw reject("R" + regno + " min value is negative, either use unsigned index or do a if (index >=0) check.");
        }
        if (!memOk(off, size, p.range())) {
            throw reject("invalid access to packet, off=" + off + " size=" + size + ", R" + regno + "(id=" + p.id()
                    + ",off=" + off + ",r=" + p.range() + ")\nR" + regno + " offset is outside of the packet");
        }
    }

    /** check_ctx_access: the field, recorded for the rewriting pass; a load gives its type. */
    private Reg ctxAccess(int regno, Reg p, int off, int size, boolean write) {
        if (p.off() != 0) throw reject("dereference of modified ctx ptr R" + regno + " off=" + p.off() + " disallowed");
        if (!p.s().isConst() || p.s().constValue() != 0) {
            throw reject("variable ctx access var_off=" + p.s().var() + " disallowed");
        }
        CtxAccess a = CtxAccess.check(type, off, size, write, opts.flatMemSize());
        if (a == null) throw reject("invalid bpf_context access off=" + off + " size=" + size);
        ctxAux[insnIdx] = a;
        if (a.type() == RegType.SCALAR_VALUE) return Reg.UNKNOWN;
        return Reg.pointer(a.type(), 0);
    }

    /** Stack accesses: bounds, alignment, then the fixed- or variable-offset read or write. */
    private Reg stackAccess(int regno, Reg p, int insnOff, int off, int size, boolean write, Reg value) {
        FuncState f = st.frames.get(p.frameNo());
        Scalar v = p.s();
        long minOff;
        long maxOff;
        String rw = write ? " write to" : " read from";
        if (v.isConst()) {
            minOff = v.constValue() + off;
            maxOff = minOff + size;
            if (minOff < -MAX_BPF_STACK || maxOff > 0) {
                throw reject("invalid" + rw + " stack R" + regno + " off=" + minOff + " size=" + size);
            }
        } else {
            if (v.smax() >= BPF_MAX_VAR_OFF || v.smin() <= -BPF_MAX_VAR_OFF) {
                throw reject("invalid unbounded variable-offset" + rw + " stack R" + regno);
            }
            minOff = v.smin() + off;
            maxOff = v.smax() + off + size;
            if (minOff < -MAX_BPF_STACK || maxOff > 0) {
                throw reject("invalid variable-offset" + rw + " stack R" + regno + " var_off=" + v.var() + " off=" + off
                        + " size=" + size);
            }
        }
        noteDepth(f, (int) -minOff);
        if (v.isConst()) {
            histSlot(f.frameNo, FuncState.index((int) minOff) / 8);
            if (write) {
                writeStackFixed(f, (int) minOff, size, value);
                return null;
            }
            return readStackFixed(f, (int) minOff, size);
        }
        int lo = FuncState.index((int) minOff);
        int hi = FuncState.index((int) maxOff);
        if (write) {
            // check_stack_write_var_off: zero stays zero only where it was
            boolean zero = value != null && value.isConst() && value.s().constValue() == 0;
            if (zero && spillSrc >= 0) markPrecise(spillSrc);
            scrubSpills(f, lo, hi);
            for (int i = lo; i < hi; i++) {
                f.slotType[i] = zero && f.slotType[i] == FuncState.STACK_ZERO ? FuncState.STACK_ZERO : FuncState.STACK_MISC;
            }
            return null;
        }
        markStackRead(f.frameNo, lo / 8, (hi - 1) / 8);
        boolean allZero = true;
        for (int i = lo; i < hi; i++) {
            if (f.slotType[i] == FuncState.STACK_INVALID && !opts.allowUninitStack()) {
                throw reject("invalid variable-offset read from stack R" + regno + " var_off=" + v.var() + " off=" + off
                        + " size=" + size);
            }
            allZero &= f.slotType[i] == FuncState.STACK_ZERO;
        }
        return allZero ? Reg.known(0) : Reg.UNKNOWN;
    }

    private void noteDepth(FuncState f, int depth) {
        if (depth > f.depth) f.depth = depth;
        if (depth > subprogDepth[f.subprog]) subprogDepth[f.subprog] = depth;
    }

    /**
     * A write over bytes [lo, hi) ends the spills of the slots it touches (scrub_spilled_slot):
     * every initialised byte of such a slot becomes STACK_MISC.
     */
    private static void scrubSpills(FuncState f, int lo, int hi) {
        for (int slot = lo / 8; slot <= (hi - 1) / 8; slot++) {
            if (f.spilled[slot] == null) continue;
            for (int j = 0; j < 8; j++) {
                if (f.slotType[slot * 8 + j] != FuncState.STACK_INVALID) f.slotType[slot * 8 + j] = FuncState.STACK_MISC;
            }
            f.spilled[slot] = null;
        }
    }

    /**
     * save_register_state: {@code reg} spilled into the low {@code size} bytes of {@code slot};
     * the slot's other bytes become STACK_MISC unless zero or uninitialised.
     */
    private void saveRegisterState(FuncState f, int slot, Reg reg, int size) {
        int base = slot * 8;
        f.spilled[slot] = reg;
        for (int j = 0; j < size; j++) f.slotType[base + j] = FuncState.STACK_SPILL;
        for (int j = size; j < 8; j++) {
            byte t = f.slotType[base + j];
            // The kernel (mark_stack_slot_misc) turns uninitialised bytes into STACK_MISC unless they may be
            // read anyway; OBPF keeps them uninitialised, so its policy of refusing such reads holds.
            if (t == FuncState.STACK_ZERO || t == FuncState.STACK_INVALID) continue;
            f.slotType[base + j] = FuncState.STACK_MISC;
        }
    }

    /** Bytes of the spill in {@code slot}: the STACK_SPILL run from its lowest byte. */
    private static int spillSize(FuncState f, int slot) {
        int n = 0;
        while (n < 8 && f.slotType[slot * 8 + n] == FuncState.STACK_SPILL) n++;
        return n;
    }

    /** Bits a scalar's unsigned maximum needs (get_reg_width). */
    private static int regWidth(Reg r) {
        return 64 - Long.numberOfLeadingZeros(r.s().umax());
    }

    /**
     * check_stack_write_fixed_off: a scalar written at the start of a slot, or a pointer, is
     * spilled (narrow scalar spills too, as the kernel tracks them for privileged loaders);
     * other writes make their bytes STACK_ZERO (a zero value) or STACK_MISC. {@code value} null:
     * an unknown value not from a register (atomics).
     */
    private void writeStackFixed(FuncState f, int fpOff, int size, Reg value) {
        int i = FuncState.index(fpOff);
        int slot = i / 8;
        if (size == 8) st.written[f.frameNo] |= 1L << slot; // the whole slot: earlier contents are dead
        if (value != null && value.isPointer()) {
            if (size != 8) throw reject("invalid size of register spill");
            if (f.frameNo != st.curFrame() && value.type() == RegType.PTR_TO_STACK) {
                throw reject("cannot spill pointers to stack into stack frame of the caller");
            }
            saveRegisterState(f, slot, value, size);
            return;
        }
        if (value != null && i % 8 == 0) {
            Reg v = value;
            if (regWidth(v) <= 8 * size) {
                if (v.id() == 0 && !v.s().isConst() && spillSrc >= 0) {
                    // assign_scalar_id_before_mov: the register and its spilled copy refine together
                    v = v.withId(++idGen);
                    st.regs()[spillSrc] = v;
                }
            } else {
                v = v.withId(0); // a narrowing spill breaks the link
            }
            saveRegisterState(f, slot, v, size);
            return;
        }
        scrubSpills(f, i, i + size);
        boolean zero = value != null && value.isConst() && value.s().constValue() == 0;
        if (zero && spillSrc >= 0) markPrecise(spillSrc); // STACK_ZERO rests on the value
        for (int j = 0; j < size; j++) f.slotType[i + j] = zero ? FuncState.STACK_ZERO : FuncState.STACK_MISC;
    }

    /** check_stack_read_fixed_off. */
    private Reg readStackFixed(FuncState f, int fpOff, int size) {
        int i = FuncState.index(fpOff);
        int slot = i / 8;
        markStackRead(f.frameNo, slot, slot);
        Reg sp = f.spilled[slot];
        if (sp != null) {
            int spillSize = spillSize(f, slot);
            if (size == 8 && spillSize == 8) return sp;
            if (!sp.isScalar()) throw reject("invalid size of register fill");
            if (size <= spillSize && i % 8 == 0) {
                // a narrow fill copies the register; the load truncates it
                return regWidth(sp) > size * 8 ? sp.withId(0) : sp;
            }
            int spills = 0;
            int zeros = 0;
            for (int k = 0; k < size; k++) {
                byte t = f.slotType[i + k];
                if (t == FuncState.STACK_SPILL) spills++;
                else if (t == FuncState.STACK_ZERO) zeros++;
                else if (t == FuncState.STACK_INVALID && !opts.allowUninitStack()) {
                    throw reject("invalid read from stack off " + fpOff + "+" + k + " size " + size);
                }
            }
            if (spills == size && sp.isConst() && sp.s().constValue() == 0 || zeros == size) return Reg.known(0);
            return Reg.UNKNOWN;
        }
        boolean allZero = true;
        for (int k = 0; k < size; k++) {
            byte t = f.slotType[i + k];
            if (t == FuncState.STACK_INVALID && !opts.allowUninitStack()) {
                throw reject("invalid read from stack off " + fpOff + "+" + k + " size " + size);
            }
            allZero &= t == FuncState.STACK_ZERO;
        }
        return allZero ? Reg.known(0) : Reg.UNKNOWN;
    }

    /**
     * get_constant_map_key: the key a stack pointer points to when the verifier knows it (zero
     * bytes, or a spilled constant of exactly the key's size); -1 otherwise.
     */
    private long constantMapKey(Reg key, int keySize) {
        if (key.type() != RegType.PTR_TO_STACK || !key.s().isConst()) return -1;
        FuncState f = st.frames.get(key.frameNo());
        long off = key.off() + key.s().constValue();
        if (off < -MAX_BPF_STACK || off >= 0) return -1;
        int i = FuncState.index((int) off);
        int end = (i / 8 + 1) * 8;
        int zeros = 0;
        for (int k = i; k < end && f.slotType[k] == FuncState.STACK_ZERO; k++) zeros++;
        if (zeros >= keySize) return 0;
        Reg sp = f.spilled[i / 8];
        if (sp == null || !sp.isScalar()) return -1;
        int spills = 0;
        for (int k = i; k < end && f.slotType[k] == FuncState.STACK_SPILL; k++) spills++;
        if (spills != keySize || !sp.s().isConst()) return -1;
        return sp.s().constValue();
    }

    private void checkAtomic(DecodedInsn d, Reg[] regs) {
        readReg(d.src());
        Reg dst = readReg(d.dst());
        if (dst.type() == RegType.PTR_TO_STACK) histFallback(); // backtracking does not follow values through stack atomics
        if (d.kind() == InsnKind.ATOMIC_CMPXCHG) readReg(0);
        if (dst.type() == RegType.PTR_TO_CTX || dst.type().isPacket()) {
            throw reject("BPF_ATOMIC stores into R" + d.dst() + " " + dst.typeName() + " is not allowed");
        }
        int size = d.sizeBytes();
        // The atomic reads the old value and writes a new one through dst.
        Reg old = access(d.dst(), d.off(), size, false, null, false, true);
        if (old.isPointer()) throw reject("atomic operation on a spilled pointer is not allowed");
        access(d.dst(), d.off(), size, true, null, false, true);
        Reg fetched = Reg.scalar(old.s().truncate(size));
        if (d.kind() == InsnKind.ATOMIC_CMPXCHG) regs[0] = fetched;
        else if (d.kind().isFetch()) regs[d.src()] = fetched;
    }

    // ------------------------------------------------------------------ calls

    private void checkFuncCall(DecodedInsn d) {
        if (st.frames.size() >= MAX_CALL_FRAMES) {
            throw reject("the call stack of " + (st.frames.size() + 1) + " frames is too deep !");
        }
        int target = d.target();
        FuncState caller = st.cur();
        FuncState callee = new FuncState(st.frames.size(), insnIdx, subprogOf[target], false);
        for (int r = 1; r <= 5; r++) callee.regs[r] = caller.regs[r];
        for (int r = 0; r <= 5; r++) caller.regs[r] = Reg.NOT_INIT;
        st.frames.add(callee);
        st.written[callee.frameNo] = -1L; // a fresh frame: nothing in it comes from before
        st.prevInsn = insnIdx;
        st.insn = target;
    }

    /** check_helper_call. */
    private void checkHelperCall(DecodedInsn d) {
        int id = d.imm();
        HelperProto proto = HelperProto.forProgram(type, id);
        if (proto == null) {
            throw reject("program of this type cannot use helper " + HelperProto.name(id) + "#" + id);
        }
        Reg[] regs = st.regs();
        int mapIdx = -1;
        long allocSize = -1;
        int releaseRef = 0;
        int callbackTarget = -1;
        long constKey = -1;
        msizeMax = 0;
        List<HelperProto.Arg> args = proto.args();
        for (int i = 0; i < args.size(); i++) {
            int regno = i + 1;
            HelperProto.Arg a = args.get(i);
            Reg r = readReg(regno);
            switch (a) {
                case ANYTHING -> { }
                case CONST_MAP_PTR -> {
                    if (r.type() != RegType.CONST_PTR_TO_MAP) expected(regno, r, "map_ptr");
                    mapIdx = r.map();
                    MapSpec m = maps.get(mapIdx);
                    if (!HelperProto.mapCompatible(id, m.type())) {
                        throw reject("cannot pass map_type " + m.type().kernelId() + " into func " + HelperProto.name(id) + "#" + id);
                    }
                    if ((m.type() == MapType.ARRAY_OF_MAPS || m.type() == MapType.HASH_OF_MAPS) && (mapIdx >= progMaps || innerOf[mapIdx] < 0)) {
                        throw reject("map " + m.name() + " (" + m.type().kernelName() + ") has no inner map template");
                    }
                }
                case PTR_TO_MAP_KEY, PTR_TO_MAP_VALUE, PTR_TO_UNINIT_MAP_VALUE -> {
                    if (mapIdx < 0) throw reject("invalid map_ptr to access map->" + (a == HelperProto.Arg.PTR_TO_MAP_KEY ? "key" : "value"));
                    memArgType(regno, r, false);
                    MapSpec m = maps.get(mapIdx);
                    int size = a == HelperProto.Arg.PTR_TO_MAP_KEY ? m.keySize() : m.valueSize();
                    helperMemAccess(regno, r, size, a == HelperProto.Arg.PTR_TO_UNINIT_MAP_VALUE);
                    if (a == HelperProto.Arg.PTR_TO_MAP_KEY && elidesValueNullness(m.type())) {
                        constKey = constantMapKey(r, size);
                        if (constKey >= 0) markPreciseSlot(r.frameNo(), FuncState.index((int) (r.off() + r.s().constValue())) / 8);
                    }
                }
                case PTR_TO_MEM, PTR_TO_MEM_OR_NULL, PTR_TO_UNINIT_MEM -> {
                    if (a == HelperProto.Arg.PTR_TO_MEM_OR_NULL && r.isConst() && r.s().constValue() == 0) {
                        markPrecise(regno);
                        break;
                    }
                    memArgType(regno, r, true);
                }
                case CONST_SIZE, CONST_SIZE_OR_ZERO -> {
                    if (!r.isScalar()) expected(regno, r, "scalar");
                    Reg mem = regs[regno - 1];
                    boolean zeroOk = a == HelperProto.Arg.CONST_SIZE_OR_ZERO;
                    Scalar s = r.s();
                    msizeMax = s.umax();
                    markPrecise(regno);
                    if (s.smin() < 0) {
                        throw reject("R" + regno + " min value is negative, either use unsigned or 'var &= const'");
                    }
                    if (s.umin() == 0 && !zeroOk) {
                        throw reject("R" + regno + " invalid zero-sized read: u64=[" + s.umin() + "," + s.umax() + "]");
                    }
                    if (Long.compareUnsigned(s.umax(), BPF_MAX_VAR_SIZ) >= 0) {
                        throw reject("R" + regno + " unbounded memory access, use 'var &= const' or 'if (var < const)'");
                    }
                    boolean nullMem = mem.isConst() && mem.s().constValue() == 0;
                    if (nullMem) markPrecise(regno - 1);
                    if (nullMem) {
                        if (s.umax() != 0) expected(regno - 1, mem, "fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem");
                    } else if (s.umax() > 0) {
                        helperMemAccess(regno - 1, mem, (int) s.umax(), args.get(i - 1) == HelperProto.Arg.PTR_TO_UNINIT_MEM);
                    }
                }
                case CONST_ALLOC_SIZE_OR_ZERO -> {
                    if (!r.isScalar()) expected(regno, r, "scalar");
                    if (!r.s().isConst()) throw reject("R" + regno + " is not a known constant'");
                    allocSize = r.s().constValue();
                    markPrecise(regno);
                }
                case PTR_TO_CTX -> {
                    if (r.type() != RegType.PTR_TO_CTX) expected(regno, r, "ctx");
                    if (r.off() != 0 || !r.s().isConst() || r.s().constValue() != 0) {
                        throw reject("dereference of modified ctx ptr R" + regno + " off=" + r.off() + " disallowed");
                    }
                }
                case PTR_TO_RINGBUF_MEM -> {
                    if (r.type() != RegType.PTR_TO_MEM || !r.ringbuf() || r.maybeNull()) expected(regno, r, "ringbuf_mem");
                    if (r.off() != 0 || !r.s().isConst() || r.s().constValue() != 0) {
                        throw reject("R" + regno + " must have zero offset when passed to release func or trusted arg to kfunc");
                    }
                    if (r.refObjId() == 0) throw reject("R" + regno + " must be referenced when passed to release func");
                    releaseRef = r.refObjId();
                }
                case PTR_TO_FUNC -> {
                    if (r.type() != RegType.PTR_TO_FUNC) expected(regno, r, "func");
                    callbackTarget = r.off();
                }
                case PTR_TO_STACK_OR_NULL -> {
                    boolean isNull = r.isConst() && r.s().constValue() == 0;
                    if (isNull) markPrecise(regno);
                    if (!isNull && r.type() != RegType.PTR_TO_STACK) expected(regno, r, "fp");
                }
                case PTR_TO_CONST_STR -> {
                    if (r.type() != RegType.PTR_TO_MAP_VALUE || r.maybeNull()) expected(regno, r, "map_value");
                    if (!r.s().isConst()) throw reject("R" + regno + " doesn't have constant offset. bpf_snprintf/strncmp need a constant string");
                    long o = r.off() + r.s().constValue();
                    if (o < 0 || o >= maps.get(r.map()).valueSize()) {
                        throw reject("invalid access to map value, value_size=" + maps.get(r.map()).valueSize() + " off=" + o + " size=1");
                    }
                }
            }
        }
        if (id == HelperProto.TAIL_CALL && !st.refs.isEmpty()) throw reject("tail_call would lead to reference leak");
        if (releaseRef != 0) {
            if (!st.removeRef(releaseRef)) throw reject("reference has not been acquired before");
            invalidateRef(st, releaseRef);
        }
        if (callbackTarget >= 0) {
            enterCallback(d, id, callbackTarget, mapIdx);
            return;
        }
        // A lookup in an array at a known index in range cannot fail: no null check needed.
        // An inner map template with BPF_F_INNER_MAP says nothing of the real inner map's max_entries.
        boolean notNull = id == HelperProto.MAP_LOOKUP_ELEM && mapIdx >= 0 && elidesValueNullness(maps.get(mapIdx).type())
                && !(mapIdx >= progMaps && (maps.get(mapIdx).flags() & BPF_F_INNER_MAP) != 0)
                && constKey >= 0 && constKey < Integer.toUnsignedLong(maps.get(mapIdx).maxEntries());
        finishHelperCall(st, proto, mapIdx, allocSize, notNull);
        st.insn = insnIdx + 1;
    }

    /** meta->msize_max_value: the largest size the last size argument may have. */
    private long msizeMax;

    /** can_elide_value_nullness. */
    /** Map flag {@code BPF_F_INNER_MAP}: inner maps of any max_entries fit the template. */
    static final int BPF_F_INNER_MAP = 1 << 12;

    private static boolean elidesValueNullness(MapType t) {
        return t == MapType.ARRAY || t == MapType.PERCPU_ARRAY;
    }

    /** R0 and the clobbered registers after a helper returns; {@code notNull}: a map value that cannot be null. */
    private void finishHelperCall(State s, HelperProto proto, int mapIdx, long allocSize, boolean notNull) {
        Reg[] regs = s.regs();
        for (int r = 1; r <= 5; r++) regs[r] = Reg.NOT_INIT;
        switch (proto.ret()) {
            case INTEGER -> regs[0] = Reg.scalar(retvalRange(proto.id()));
            case VOID -> regs[0] = Reg.NOT_INIT;
            case PTR_TO_MAP_VALUE_OR_NULL -> regs[0] = notNull ? Reg.pointer(RegType.PTR_TO_MAP_VALUE, 0).withMap(mapIdx)
                    : Reg.pointer(RegType.PTR_TO_MAP_VALUE, 0).withMap(mapIdx).withMaybeNull(true).withId(++idGen);
            case PTR_TO_RINGBUF_MEM_OR_NULL -> {
                int id = ++idGen;
                regs[0] = Reg.pointer(RegType.PTR_TO_MEM, 0).withMem(allocSize, true).withMaybeNull(true).withId(id).withRef(id);
                s.addRef(id, insnIdx);
            }
        }
        if (changesPktData(proto.id())) clearAllPktPointers(s);
    }

    /**
     * do_refine_retval_range: the processor number is below nr_cpu_ids; the string and stack
     * readers return at most the size they were given, or a negative errno.
     */
    private Scalar retvalRange(int id) {
        return switch (id) {
            case HelperProto.GET_SMP_PROCESSOR_ID -> Scalar.unsignedRange(0, NR_CPU_IDS - 1);
            case HelperProto.GET_STACK, HelperProto.PROBE_READ_USER_STR, HelperProto.PROBE_READ_KERNEL_STR ->
                    Scalar.signedRangeBoth(-MAX_ERRNO, msizeMax);
            default -> Scalar.UNKNOWN;
        };
    }

    static final int MAX_ERRNO = 4095;

    /**
     * The kernel's nr_cpu_ids: one more than the highest possible CPU
     * ({@code /sys/devices/system/cpu/possible}); the processor count where that cannot be read.
     * bpf_get_smp_processor_id returns less.
     */
    static final int NR_CPU_IDS = nrCpuIds();

    private static int nrCpuIds() {
        int n = Runtime.getRuntime().availableProcessors();
        try {
            String s = Files.readString(Path.of("/sys/devices/system/cpu/possible")).strip();
            for (String part : s.split(",")) {
                String[] r = part.split("-");
                n = Math.max(n, Integer.parseInt(r[r.length - 1]) + 1);
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or no sysfs: the JVM's count
        }
        return n;
    }

    /** bpf_helper_changes_pkt_data. */
    private static boolean changesPktData(int id) {
        return switch (id) {
            case HelperProto.SKB_STORE_BYTES, HelperProto.L3_CSUM_REPLACE, HelperProto.L4_CSUM_REPLACE,
                 HelperProto.XDP_ADJUST_HEAD, HelperProto.XDP_ADJUST_META, HelperProto.XDP_ADJUST_TAIL,
                 HelperProto.CLONE_REDIRECT, HelperProto.SKB_VLAN_PUSH, HelperProto.SKB_VLAN_POP,
                 HelperProto.SKB_CHANGE_TAIL, HelperProto.SKB_CHANGE_HEAD, HelperProto.SKB_PULL_DATA,
                 HelperProto.SKB_ADJUST_ROOM -> true;
            default -> false;
        };
    }

    private static void clearAllPktPointers(State s) {
        for (FuncState f : s.frames) {
            for (int r = 0; r < f.regs.length; r++) {
                if (f.regs[r].type().isPacket() || f.regs[r].type() == RegType.PTR_TO_PACKET_END) f.regs[r] = Reg.UNKNOWN;
            }
            for (int k = 0; k < f.spilled.length; k++) {
                Reg x = f.spilled[k];
                if (x != null && (x.type().isPacket() || x.type() == RegType.PTR_TO_PACKET_END)) f.spilled[k] = Reg.UNKNOWN;
            }
        }
    }

    /** release_reference: every copy of the released pointer becomes an unknown scalar. */
    private static void invalidateRef(State s, int ref) {
        for (FuncState f : s.frames) {
            for (int r = 0; r < f.regs.length; r++) {
                if (f.regs[r].refObjId() == ref) f.regs[r] = Reg.UNKNOWN;
            }
            for (int k = 0; k < f.spilled.length; k++) {
                Reg x = f.spilled[k];
                if (x != null && x.refObjId() == ref) f.spilled[k] = Reg.UNKNOWN;
            }
        }
    }

    /**
     * bpf_loop and bpf_for_each_map_elem: one branch leaves the helper (after any number of
     * iterations), the other runs the callback once more in a new frame and comes back to the
     * call, so iterations are explored until the state at the call repeats.
     */
    private void enterCallback(DecodedInsn d, int id, int target, int mapIdx) {
        histFallback(); // backtracking does not follow values through callback frames
        HelperProto proto = HelperProto.forProgram(type, id);
        State done = st.copy();
        finishHelperCall(done, proto, mapIdx, -1, false);
        done.insn = insnIdx + 1;
        done.prevInsn = insnIdx;
        push(done);
        if (st.frames.size() >= MAX_CALL_FRAMES) {
            throw reject("the call stack of " + (st.frames.size() + 1) + " frames is too deep !");
        }
        Reg[] caller = st.regs();
        FuncState callee = new FuncState(st.frames.size(), insnIdx, subprogOf[target], true);
        if (id == HelperProto.LOOP) {
            callee.regs[1] = Reg.UNKNOWN; // the u32 index, but set_loop_callback_state leaves it unbounded
            callee.regs[2] = caller[3];
        } else {
            callee.regs[1] = Reg.pointer(RegType.CONST_PTR_TO_MAP, 0).withMap(mapIdx);
            callee.regs[2] = Reg.pointer(RegType.PTR_TO_MAP_KEY, 0).withMap(mapIdx);
            callee.regs[3] = Reg.pointer(RegType.PTR_TO_MAP_VALUE, 0).withMap(mapIdx);
            callee.regs[4] = caller[3];
        }
        st.frames.add(callee);
        st.written[callee.frameNo] = -1L;
        st.prevInsn = insnIdx;
        st.insn = target;
    }

    private void expected(int regno, Reg r, String expected) {
        throw reject("R" + regno + " type=" + r.typeName() + " expected=" + expected);
    }

    /** check_reg_type for memory arguments. */
    private void memArgType(int regno, Reg r, boolean memOk) {
        switch (r.type()) {
            case PTR_TO_STACK, PTR_TO_PACKET, PTR_TO_PACKET_META, PTR_TO_MAP_KEY, PTR_TO_MAP_VALUE -> {
                if (!r.maybeNull()) return;
            }
            case PTR_TO_MEM -> {
                if (memOk && !r.maybeNull()) return;
            }
            default -> { }
        }
        expected(regno, r, memOk ? "fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem"
                : "fp, pkt, pkt_meta, map_key, map_value");
    }

    /** check_helper_mem_access: {@code size} bytes at the pointer, read by the helper or written ({@code raw}). */
    private void helperMemAccess(int regno, Reg r, int size, boolean raw) {
        switch (r.type()) {
            case PTR_TO_PACKET, PTR_TO_PACKET_META -> {
                if (raw && !CtxAccess.packetWritable(type)) throw reject("helper access to the packet is not allowed");
                checkPacket(regno, r, r.off(), size);
            }
            case PTR_TO_MAP_VALUE -> checkRegion(regno, r, r.off(), size, maps.get(r.map()).valueSize());
            case PTR_TO_MAP_KEY -> checkRegion(regno, r, r.off(), size, maps.get(r.map()).keySize());
            case PTR_TO_MEM -> checkRegion(regno, r, r.off(), size, r.memSize());
            case PTR_TO_STACK -> helperStackAccess(regno, r, size, raw);
            default -> expected(regno, r, "fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem");
        }
    }

    /** check_stack_range_initialized. */
    private void helperStackAccess(int regno, Reg r, int size, boolean raw) {
        FuncState f = st.frames.get(r.frameNo());
        Scalar v = r.s();
        long minOff;
        long maxOff;
        if (v.isConst()) {
            minOff = v.constValue() + r.off();
            maxOff = minOff + size;
            if (minOff < -MAX_BPF_STACK || maxOff > 0) {
                throw reject("invalid indirect access to stack R" + regno + " off=" + minOff + " size=" + size);
            }
        } else {
            if (v.smax() >= BPF_MAX_VAR_OFF || v.smin() <= -BPF_MAX_VAR_OFF) {
                throw reject("invalid unbounded variable-offset indirect access to stack R" + regno);
            }
            minOff = v.smin() + r.off();
            maxOff = v.smax() + r.off() + size;
            if (minOff < -MAX_BPF_STACK || maxOff > 0) {
                throw reject("invalid variable-offset indirect access to stack R" + regno + " var_off=" + v.var()
                        + " off=" + r.off() + " size=" + size);
            }
        }
        noteDepth(f, (int) -minOff);
        int lo = FuncState.index((int) minOff);
        int hi = FuncState.index((int) maxOff);
        if (raw) {
            scrubSpills(f, lo, hi);
            for (int i = lo; i < hi; i++) f.slotType[i] = FuncState.STACK_MISC;
            return;
        }
        markStackRead(f.frameNo, lo / 8, (hi - 1) / 8);
        for (int i = lo; i < hi && !opts.allowUninitStack(); i++) {
            if (f.slotType[i] == FuncState.STACK_INVALID) {
                if (v.isConst()) {
                    throw reject("invalid indirect read from stack R" + regno + " off " + minOff + "+" + (i - lo) + " size " + size);
                }
                throw reject("invalid variable-offset indirect read from stack R" + regno + " var_off=" + v.var()
                        + " off=" + r.off() + " size=" + size);
            }
        }
    }

    // ------------------------------------------------------------------ exit

    /** BPF_EXIT: return to the caller, or check R0, references and the return range at the end of the program. */
    private boolean checkExit() {
        Reg r0 = readReg(0);
        if (st.frames.size() > 1) {
            FuncState callee = st.cur();
            if (r0.type() == RegType.PTR_TO_STACK) { // even the caller's: the kernel is conservative
                throw reject("cannot return stack pointer to the caller");
            }
            if (callee.callback) {
                histFallback();
                if (r0.isScalar()) markPrecise(0);
                if (!r0.isScalar() || r0.s().smin() < 0 || r0.s().smax() > 1) {
                    throw reject(invalidScalar("At callback return", r0, 0, 1));
                }
                st.frames.remove(st.frames.size() - 1);
                st.prevInsn = insnIdx;
                st.insn = callee.callsite; // the helper call again: one more iteration, or done
                return false;
            }
            st.frames.remove(st.frames.size() - 1);
            st.regs()[0] = r0;
            st.prevInsn = insnIdx;
            st.insn = callee.callsite + 1;
            return false;
        }
        if (!st.refs.isEmpty()) {
            State.Ref ref = st.refs.get(0);
            throw reject("Unreleased reference id=" + ref.id() + " alloc_insn=" + ref.insn());
        }
        long[] range = CtxAccess.returnRange(type);
        if (range != null) {
            if (!r0.isScalar()) {
                throw reject("At program exit the register R0 is not a known value (" + r0.typeName() + ")");
            }
            markPrecise(0);
            if (r0.s().smin() < range[0] || r0.s().smax() > range[1]) {
                throw reject(invalidScalar("At program exit", r0, range[0], range[1]));
            }
        }
        return true;
    }

    /** verbose_invalid_scalar. */
    private static String invalidScalar(String ctx, Reg r, long min, long max) {
        StringBuilder sb = new StringBuilder(ctx).append(" the register R0 has");
        boolean unknown = true;
        if (r.isScalar() && r.s().smin() > Long.MIN_VALUE) { sb.append(" smin=").append(r.s().smin()); unknown = false; }
        if (r.isScalar() && r.s().smax() < Long.MAX_VALUE) { sb.append(" smax=").append(r.s().smax()); unknown = false; }
        if (unknown) sb.append(" unknown scalar value");
        return sb.append(" should have been in [").append(min).append(", ").append(max).append(']').toString();
    }


    // ------------------------------------------------------------------ precision (mark_chain_precision)

    // History entry, word 0: insn (bits 0-31), stack slot + 1 (32-39), the slot's frame (40-47),
    // frame (48-55), FALLBACK (bit 56); word 1: registers linked to a compared one; word 2: their
    // spilled copies (stack slots of the same frame).
    private static final long H_FALLBACK = 1L << 56;

    private int histAt() {
        return (st.histLen - 1) * State.HIST_WORDS;
    }

    /** The current instruction accessed stack slot {@code slot} of frame {@code frame} at a fixed offset. */
    private void histSlot(int frame, int slot) {
        if (st.histLen == 0) return;
        int at = histAt();
        st.hist[at] = st.hist[at] & ~(0xffffL << 32) | (long) (slot + 1) << 32 | (long) frame << 40;
    }

    /** The current instruction moves values in a way backtracking does not follow: precision falls back to everything. */
    private void histFallback() {
        if (st.histLen == 0) return;
        st.hist[histAt()] |= H_FALLBACK;
    }

    /** Registers and spilled scalars linked (same id) to the compared scalars: a branch refines them all. */
    private void histLinked(int id1, int id2) {
        if (id1 == 0 && id2 == 0 || st.histLen == 0) return;
        long regs = 0;
        long slots = 0;
        for (int fi = 0; fi < st.frames.size(); fi++) {
            FuncState f = st.frames.get(fi);
            boolean top = fi == st.curFrame();
            for (int r = 0; r < 10; r++) {
                Reg x = f.regs[r];
                if (x.isScalar() && x.id() != 0 && (x.id() == id1 || x.id() == id2)) {
                    if (!top) {
                        histFallback();
                        return;
                    }
                    regs |= 1L << r;
                }
            }
            for (int k = 0; k < FuncState.SLOTS; k++) {
                Reg x = f.spilled[k];
                if (x != null && x.isScalar() && x.id() != 0 && (x.id() == id1 || x.id() == id2)) {
                    if (!top) {
                        histFallback();
                        return;
                    }
                    slots |= 1L << k;
                }
            }
        }
        int at = histAt();
        st.hist[at + 1] = regs;
        st.hist[at + 2] = slots;
    }

    /** What backtracking still looks for: per frame, registers and stack slots. */
    private static final class Backtrack {
        final int[] regs = new int[MAX_CALL_FRAMES + 1];
        final long[] slots = new long[MAX_CALL_FRAMES + 1];

        boolean empty() {
            for (int i = 0; i < regs.length; i++) if (regs[i] != 0 || slots[i] != 0) return false;
            return true;
        }
    }

    private void markPreciseIfScalar(int regno, Reg r) {
        if (r.isScalar()) markPrecise(regno);
    }

    /** mark_chain_precision of register {@code regno} of the current frame, as it was before this instruction. */
    private void markPrecise(int regno) {
        if (regno == 10) return;
        Backtrack bt = new Backtrack();
        bt.regs[st.curFrame()] = 1 << regno;
        backtrack(bt, true);
    }

    /** mark_chain_precision of the scalar spilled in {@code slot} of frame {@code frame}. */
    private void markPreciseSlot(int frame, int slot) {
        Backtrack bt = new Backtrack();
        bt.slots[frame] = 1L << slot;
        backtrack(bt, true);
    }

    /**
     * __mark_chain_precision: walks the path back through the history of the current state and
     * of each checkpoint before it, turning the wanted registers and slots into the ones they came
     * from, and marks them precise in every checkpoint on the way. {@code skipCurrent}: the last
     * history entry is the instruction being checked, whose inputs are the ones wanted.
     */
    private void backtrack(Backtrack bt, boolean skipCurrent) {
        long[] h = st.hist;
        int n = st.histLen - (skipCurrent && st.histLen > 0 ? 1 : 0);
        State.Checkpoint cp = st.parent;
        while (true) {
            for (int i = n - 1; i >= 0; i--) {
                if (!backtrackInsn(h, i * State.HIST_WORDS, bt)) {
                    markAllPrecise(cp);
                    return;
                }
                if (bt.empty()) return;
            }
            if (cp == null) return;
            if (!markInState(cp.state, bt)) return;
            h = cp.hist;
            n = cp.histLen;
            cp = cp.parent;
        }
    }

    /**
     * Marks the wanted scalars precise in a stored state; drops what is not a scalar there and what
     * was precise already (its own backtracking went on from there). False when nothing is left.
     */
    private static boolean markInState(State s, Backtrack bt) {
        boolean left = false;
        for (int fi = 0; fi < s.frames.size(); fi++) {
            FuncState f = s.frames.get(fi);
            int regs = bt.regs[fi];
            for (int r = 0; regs != 0 && r < 10; r++) {
                if ((regs & (1 << r)) == 0) continue;
                Reg x = f.regs[r];
                if (!x.isScalar() || x.precise()) {
                    regs &= ~(1 << r);
                } else {
                    f.regs[r] = x.withPrecise(true);
                }
            }
            bt.regs[fi] = regs;
            long slots = bt.slots[fi];
            for (int k = 0; slots != 0 && k < FuncState.SLOTS; k++) {
                if ((slots & (1L << k)) == 0) continue;
                Reg x = f.spilled[k];
                if (x == null || !x.isScalar() || x.precise()) {
                    slots &= ~(1L << k);
                } else {
                    f.spilled[k] = x.withPrecise(true);
                }
            }
            bt.slots[fi] = slots;
            left |= regs != 0 || slots != 0;
        }
        for (int fi = s.frames.size(); fi < bt.regs.length; fi++) {
            bt.regs[fi] = 0;
            bt.slots[fi] = 0;
        }
        return left;
    }

    /** mark_all_scalars_precise: every scalar of {@code cp} and of every checkpoint before it. */
    private static void markAllPrecise(State.Checkpoint cp) {
        for (; cp != null; cp = cp.parent) {
            for (FuncState f : cp.state.frames) {
                for (int r = 0; r < 10; r++) {
                    if (f.regs[r].isScalar() && !f.regs[r].precise()) f.regs[r] = f.regs[r].withPrecise(true);
                }
                for (int k = 0; k < FuncState.SLOTS; k++) {
                    Reg x = f.spilled[k];
                    if (x != null && x.isScalar() && !x.precise()) f.spilled[k] = x.withPrecise(true);
                }
            }
        }
    }

    /** backtrack_insn: what the wanted values were before one instruction. False: give up (fall back). */
    private boolean backtrackInsn(long[] h, int at, Backtrack bt) {
        long w = h[at];
        if ((w & H_FALLBACK) != 0) return false;
        int insn = (int) w;
        int fr = (int) (w >>> 48) & 0xff;
        int slotPlus1 = (int) (w >>> 32) & 0xff;
        int slotFrame = (int) (w >>> 40) & 0xff;
        DecodedInsn d = insns[insn];
        int dstBit = 1 << d.dst();
        int srcBit = 1 << d.src();
        int regs = bt.regs[fr];
        switch (d.kind().group()) {
            case ALU -> {
                switch (d.kind()) {
                    case MOV, MOVSX -> {
                        if ((regs & dstBit) != 0) {
                            regs &= ~dstBit;
                            if (d.srcIsReg()) regs |= srcBit;
                        }
                    }
                    case NEG, LE, BE, BSWAP -> { }
                    default -> {
                        if ((regs & dstBit) != 0 && d.srcIsReg()) regs |= srcBit;
                    }
                }
            }
            case LD_IMM64 -> regs &= ~dstBit;
            case LOAD -> {
                if ((regs & dstBit) != 0) {
                    regs &= ~dstBit;
                    if (slotPlus1 != 0) bt.slots[slotFrame] |= 1L << (slotPlus1 - 1);
                }
            }
            case STORE -> {
                if (slotPlus1 != 0 && (bt.slots[slotFrame] & (1L << (slotPlus1 - 1))) != 0) {
                    bt.slots[slotFrame] &= ~(1L << (slotPlus1 - 1));
                    if (d.kind() == InsnKind.STX) regs |= srcBit;
                }
            }
            case ATOMIC -> {
                if (d.kind() == InsnKind.ATOMIC_CMPXCHG) regs &= ~1;
                else if (d.kind().isFetch()) regs &= ~srcBit;
            }
            case LD_PACKET -> regs &= ~Liveness.CALLER_SAVED;
            case JMP -> {
                if (d.kind().isConditionalJump()) {
                    long linkedRegs = h[at + 1];
                    long linkedSlots = h[at + 2];
                    if ((regs & linkedRegs) != 0 || (bt.slots[fr] & linkedSlots) != 0) {
                        regs |= (int) linkedRegs;
                        bt.slots[fr] |= linkedSlots;
                    }
                    if (d.srcIsReg() && (regs & (dstBit | srcBit)) != 0) regs |= dstBit | srcBit;
                }
            }
            case CALL -> {
                if (d.kind() == InsnKind.CALL_LOCAL) {
                    // before the call: the callee's arguments were the caller's R1-R5
                    int callee = bt.regs[fr + 1];
                    regs = regs & ~Liveness.CALLER_SAVED | callee & Liveness.ARGS;
                    bt.regs[fr + 1] = 0;
                    bt.slots[fr + 1] = 0;
                } else {
                    regs &= ~Liveness.CALLER_SAVED;
                }
            }
            case EXIT -> {
                if (fr > 0) {
                    // after the exit the caller's R0 was the callee's; its R1-R5 were unset
                    int caller = bt.regs[fr - 1];
                    bt.regs[fr - 1] = caller & ~Liveness.CALLER_SAVED;
                    if ((caller & 1) != 0) regs |= 1;
                }
            }
        }
        bt.regs[fr] = regs & ~(1 << 10);
        return true;
    }

    /**
     * mark_reg_read for stack slots [lo, hi] of frame {@code frame}: every checkpoint back to the
     * segment that wrote the slot whole learns that a path from it reads the slot.
     */
    private void markStackRead(int frame, int lo, int hi) {
        for (int slot = lo; slot <= hi; slot++) {
            long bit = 1L << slot;
            if ((st.written[frame] & bit) != 0) continue;
            for (State.Checkpoint cp = st.parent; cp != null; cp = cp.parent) {
                if (frame >= cp.state.frames.size() || (cp.read[frame] & bit) != 0) break;
                cp.read[frame] |= bit;
                if ((cp.written[frame] & bit) != 0) break;
            }
        }
    }

    /** propagate_liveness: the pruned path's checkpoints read what the pruning state's continuation read. */
    private void propagateLiveness(State.Checkpoint old) {
        for (int fi = 0; fi < old.state.frames.size(); fi++) {
            long r = old.read[fi];
            while (r != 0) {
                int slot = Long.numberOfTrailingZeros(r);
                r &= r - 1;
                markStackRead(fi, slot, slot);
            }
        }
    }

    /**
     * propagate_precision: a path pruned by a stored state needs, along its own checkpoints, the
     * precision the stored state's exploration needed.
     */
    private void propagatePrecision(State old) {
        Backtrack bt = new Backtrack();
        boolean any = false;
        for (int fi = 0; fi < old.frames.size(); fi++) {
            FuncState f = old.frames.get(fi);
            for (int r = 0; r < 10; r++) {
                if (f.regs[r].isScalar() && f.regs[r].precise()) {
                    bt.regs[fi] |= 1 << r;
                    any = true;
                }
            }
            for (int k = 0; k < FuncState.SLOTS; k++) {
                Reg x = f.spilled[k];
                if (x != null && x.isScalar() && x.precise()) {
                    bt.slots[fi] |= 1L << k;
                    any = true;
                }
            }
        }
        if (any) backtrack(bt, false);
    }

    // ------------------------------------------------------------------ stack depth

    /** check_max_stack_depth: the deepest chain of calls, each frame rounded up to 32 bytes. */
    private void checkMaxStackDepth() {
        insnIdx = 0;
        walkCalls(0, 0, 1);
    }

    private void walkCalls(int subprog, int depthSoFar, int frames) {
        int depth = depthSoFar + roundUp32(Math.max(subprogDepth[subprog], 1));
        if (depth > MAX_BPF_STACK) {
            throw reject("combined stack size of " + frames + " calls is " + depth + ". Too large");
        }
        if (frames >= MAX_CALL_FRAMES) return;
        int start = subprogStart[subprog];
        int end = subprog + 1 < subprogStart.length ? subprogStart[subprog + 1] : prog.length;
        for (int pc = start; pc < end; pc++) {
            DecodedInsn d = insns[pc];
            if (d == null || !seen[pc]) continue;
            // A tail call replaces only the innermost frame: the callers' stacks stay, so they are kept small.
            if (d.kind() == InsnKind.CALL_HELPER && d.imm() == HelperProto.TAIL_CALL && frames > 1 && depthSoFar > 256) {
                insnIdx = pc;
                throw reject("tail_calls are not allowed when call stack of previous frames is " + depthSoFar
                        + " bytes. Too large");
            }
            if (d.kind() == InsnKind.CALL_LOCAL || d.kind() == InsnKind.LD_IMM64 && d.src() == BPF_PSEUDO_FUNC) {
                insnIdx = pc;
                walkCalls(subprogOf[d.kind() == InsnKind.CALL_LOCAL ? d.target() : funcTarget(d)], depth, frames + 1);
            }
        }
    }

    private static int roundUp32(int v) {
        return (v + 31) & ~31;
    }

    // ------------------------------------------------------------------ pruning

    /**
     * The stored states of one instruction: those whose paths are all explored (they can prune)
     * and those still being explored (an ancestor of the current path: only an exact repeat of
     * one is meaningful, an infinite loop), the latter found by their exact hash.
     */
    private static final class Explored {
        final List<State.Checkpoint> done = new ArrayList<>(2);
        final java.util.HashMap<Long, List<State.Checkpoint>> active = new java.util.HashMap<>();
        int activeCount;
    }

    /** is_state_visited: true when a stored state covers the current one (prune this path). */
    private boolean isStateVisited() {
        int idx = insnIdx;
        Explored ex = explored[idx];
        if (ex == null) {
            ex = new Explored();
            explored[idx] = ex;
        }
        boolean first = ex.done.isEmpty() && ex.activeCount == 0;
        boolean inLoop = ex.activeCount > 0;
        if (inLoop) {
            if (callbackCall[idx]) {
                // The helper bounds the iterations: covering an ancestor ends the iteration.
                for (List<State.Checkpoint> l : ex.active.values()) {
                    for (State.Checkpoint cp : l) {
                        if (statesEqual(cp.state, st, false, false, null)) return true;
                        widen(cp.state, st);
                    }
                }
            } else {
                List<State.Checkpoint> same = ex.active.get(exactHash(st));
                if (same != null) {
                    for (State.Checkpoint cp : same) {
                        if (statesEqual(cp.state, st, true, false, null)) throw reject("infinite loop detected at insn " + idx);
                    }
                }
            }
        }
        // The kernel's heuristics: a new state only every few jumps, and rarely inside a loop
        // (iterations differ and seldom prune each other); the first visit always stores one.
        boolean add = first || jmpsProcessed - prevJmpsProcessed >= 2 && processed - prevInsnProcessed >= 8;
        if (inLoop && !first && jmpsProcessed - prevJmpsProcessed < 20 && processed - prevInsnProcessed < 100) add = false;
        if (callbackCall[idx]) add = true; // the widened state is what ends the callback's iterations
        List<State.Checkpoint> list = ex.done;
        for (int i = 0; i < list.size(); i++) {
            State.Checkpoint cp = list.get(i);
            if (statesEqual(cp.state, st, false, true, cp.read)) {
                cp.hits++;
                propagatePrecision(cp.state);
                propagateLiveness(cp);
                return true;
            }
            // As the kernel: a miss counts only when a new state is stored here, so that the
            // iterations of a loop do not evict the states of earlier iterations (that prune later ones).
            if (!add) continue;
            cp.misses++;
            if (cp.misses > cp.hits * 3 + 3) {
                // Rarely useful states are dropped (the kernel's miss_cnt heuristic).
                list.remove(i--);
                curStates--;
            }
        }
        if (!add) return false;
        prevJmpsProcessed = jmpsProcessed;
        prevInsnProcessed = processed;
        State copy = st.copyForCheckpoint();
        State.Checkpoint cp = new State.Checkpoint(copy, st.parent);
        cp.hist = st.hist;
        cp.histLen = st.histLen;
        cp.written = st.written;
        st.hist = new long[State.HIST_WORDS * 16];
        st.histLen = 0;
        st.written = new long[MAX_CALL_FRAMES];
        cp.hash = exactHash(copy);
        cp.insn = idx;
        st.parent = cp;
        ex.active.computeIfAbsent(cp.hash, h -> new ArrayList<>(1)).add(cp);
        ex.activeCount++;
        totalStates++;
        curStates++;
        peakStates = Math.max(peakStates, curStates);
        maxStatesPerInsn = Math.max(maxStatesPerInsn, ex.done.size() + ex.activeCount);
        return false;
    }

    /** A checkpoint whose paths are all explored moves to the states that can prune. */
    private void completed(State.Checkpoint cp) {
        Explored ex = explored[cp.insn];
        List<State.Checkpoint> l = ex.active.get(cp.hash);
        if (l != null && l.remove(cp)) {
            if (l.isEmpty()) ex.active.remove(cp.hash);
            ex.activeCount--;
            ex.done.add(cp);
        }
    }

    private int jmpsProcessed;
    private int prevJmpsProcessed;
    private int prevInsnProcessed;

    /** A hash of what an exact comparison looks at, ids left out (they are compared as a mapping). */
    private long exactHash(State s) {
        long h = s.frames.size();
        for (int i = 0; i < s.frames.size(); i++) {
            FuncState f = s.frames.get(i);
            int at;
            if (i == s.frames.size() - 1) at = s.insn;
            else {
                FuncState next = s.frames.get(i + 1);
                at = next.callback ? next.callsite : next.callsite + 1;
            }
            int live = liveIn[at] | 1 << 10;
            h = h * 31 + f.callsite;
            for (int r = 0; r < 11; r++) {
                if ((live & (1 << r)) != 0) h = h * 31 + regHash(f.regs[r]);
            }
            h = h * 31 + Arrays.hashCode(f.slotType);
            for (Reg sp : f.spilled) if (sp != null) h = h * 31 + regHash(sp);
        }
        return h * 31 + s.refs.size();
    }

    private static long regHash(Reg r) {
        long h = r.type().ordinal();
        h = h * 31 + r.s().hashCode();
        h = h * 31 + r.off();
        h = h * 31 + r.range();
        h = h * 31 + r.map();
        h = h * 31 + Long.hashCode(r.memSize());
        h = h * 31 + r.frameNo();
        return h * 4 + (r.maybeNull() ? 2 : 0) + (r.ringbuf() ? 1 : 0);
    }

    /** Scalars that changed since an earlier iteration of a callback loop become unknown. */
    private static void widen(State old, State cur) {
        if (old.frames.size() != cur.frames.size()) return;
        for (int i = 0; i < cur.frames.size(); i++) {
            FuncState o = old.frames.get(i);
            FuncState c = cur.frames.get(i);
            for (int r = 0; r < c.regs.length; r++) {
                if (o.regs[r].isScalar() && c.regs[r].isScalar() && !o.regs[r].s().includes(c.regs[r].s())) {
                    c.regs[r] = Reg.UNKNOWN;
                }
            }
            for (int k = 0; k < c.spilled.length; k++) {
                Reg os = o.spilled[k];
                Reg cs = c.spilled[k];
                if (os != null && cs != null && os.isScalar() && cs.isScalar() && !os.s().includes(cs.s())) {
                    c.spilled[k] = Reg.UNKNOWN;
                }
            }
        }
    }

    /** states_equal: same frames and references; live registers and the stack covered (or identical when exact). */
    /** {@code read}: per frame, the stack slots the stored state's paths read (null: all count). */
    private boolean statesEqual(State old, State cur, boolean exact, boolean precision, long[] read) {
        if (old.frames.size() != cur.frames.size()) return false;
        IdMap ids = new IdMap();
        for (int i = 0; i < old.frames.size(); i++) {
            FuncState o = old.frames.get(i);
            FuncState c = cur.frames.get(i);
            if (o.callsite != c.callsite || o.callback != c.callback) return false;
            int at;
            if (i == old.frames.size() - 1) at = cur.insn;
            else {
                FuncState next = cur.frames.get(i + 1);
                at = next.callback ? next.callsite : next.callsite + 1;
            }
            int live = liveIn[at];
            for (int r = 0; r < 11; r++) {
                if ((live & (1 << r)) == 0 && r != 10) continue;
                if (!regsafe(o.regs[r], c.regs[r], ids, exact, precision)) return false;
            }
            if (!stacksafe(o, c, ids, exact, precision, read == null ? -1L : read[i])) return false;
        }
        if (old.refs.size() != cur.refs.size()) return false;
        for (int i = 0; i < old.refs.size(); i++) {
            if (!ids.check(old.refs.get(i).id(), cur.refs.get(i).id())) return false;
        }
        return true;
    }

    /** check_ids: a consistent one-to-one mapping of old ids to current ids. */
    static final class IdMap {
        private final int[] oldIds = new int[64];
        private final int[] curIds = new int[64];
        private int n;

        boolean check(int oldId, int curId) {
            if ((oldId == 0) != (curId == 0)) return false;
            if (oldId == 0) return true;
            for (int i = 0; i < n; i++) {
                if (oldIds[i] == oldId) return curIds[i] == curId;
                if (curIds[i] == curId) return false;
            }
            if (n == oldIds.length) return false;
            oldIds[n] = oldId;
            curIds[n++] = curId;
            return true;
        }
    }

    /** regsafe. */
    static boolean regsafe(Reg old, Reg cur, IdMap ids, boolean exact, boolean precision) {
        if (exact) {
            return old.type() == cur.type() && old.s().equals(cur.s()) && old.off() == cur.off()
                    && old.range() == cur.range() && old.map() == cur.map() && old.memSize() == cur.memSize()
                    && old.frameNo() == cur.frameNo() && old.maybeNull() == cur.maybeNull() && old.ringbuf() == cur.ringbuf()
                    && ids.check(old.id(), cur.id()) && ids.check(old.refObjId(), cur.refObjId());
        }
        if (!old.isInit()) return true;
        if (!cur.isInit()) return false;
        if (old.isScalar()) {
            if (!cur.isScalar()) return false;
            // no path from the stored state needed this value: any scalar will do
            if (precision && !old.precise()) return true;
            if (!old.s().includes(cur.s())) return false;
            return old.id() == 0 || cur.id() != 0 && ids.check(old.id(), cur.id());
        }
        if (old.type() != cur.type() || old.maybeNull() != cur.maybeNull() || old.ringbuf() != cur.ringbuf()
                || old.map() != cur.map() || old.memSize() != cur.memSize() || old.frameNo() != cur.frameNo()
                || old.off() != cur.off()) {
            return false;
        }
        if (old.type().isPacket() && old.range() > cur.range()) return false;
        if (!old.s().includes(cur.s())) return false;
        return ids.check(old.id(), cur.id()) && ids.check(old.refObjId(), cur.refObjId());
    }

    /** True when the 8 bytes of the slot at {@code i} are all STACK_MISC or all STACK_ZERO. */
    private static boolean uniform(FuncState f, int i) {
        byte t = f.slotType[i];
        if (t != FuncState.STACK_MISC && t != FuncState.STACK_ZERO) return false;
        for (int j = 1; j < 8; j++) if (f.slotType[i + j] != t) return false;
        return true;
    }

    /** stacksafe. */
    static boolean stacksafe(FuncState old, FuncState cur, IdMap ids, boolean exact, boolean precision, long live) {
        for (int i = 0; i < old.slotType.length; i++) {
            if ((live & (1L << (i / 8))) == 0) {
                i += 7; // no path from the stored state read this slot before writing it
                continue;
            }
            if (precision && !exact && i % 8 == 0 && old.isSpill(i / 8) && old.spilled[i / 8].isScalar()
                    && !old.spilled[i / 8].precise() && uniform(cur, i)) {
                // an imprecise spilled scalar matches a slot of unknown (or zero) bytes: scalar_reg_for_stack
                i += 7;
                continue;
            }
            byte ot = old.slotType[i];
            byte ct = cur.slotType[i];
            if (exact) {
                if (ot != ct) return false;
            } else {
                if (ot == FuncState.STACK_INVALID) continue;
                if (ot == FuncState.STACK_MISC) {
                    if (ct == FuncState.STACK_MISC || ct == FuncState.STACK_ZERO) continue;
                    if (ct == FuncState.STACK_SPILL && cur.spilled[i / 8] != null && cur.spilled[i / 8].isScalar()) continue;
                    return false;
                }
                if (ot != ct) return false;
            }
            if (ot == FuncState.STACK_SPILL && i % 8 == 0) {
                Reg os = old.spilled[i / 8];
                Reg cs = cur.spilled[i / 8];
                if (os == null || cs == null) {
                    if (os != cs) return false;
                } else if (!regsafe(os, cs, ids, exact, precision)) {
                    return false;
                }
            }
        }
        return true;
    }
}
