package org.obpf.jit.x86_64;

import static org.obpf.api.insn.Opcodes.*;
import static org.obpf.jit.x86_64.Reg.*;
import static org.obpf.jit.x86_64.X86Asm.*;

import java.util.ArrayList;
import java.util.List;
import org.obpf.api.insn.Insn;
import org.obpf.api.insn.InsnKind;
import org.obpf.api.jit.Symbol;
import org.obpf.api.jit.code.CodeBuffer;
import org.obpf.api.jit.code.HostAbi;
import org.obpf.api.jit.code.Label;

/**
 * The BPF-to-x86-64 translator: one pass over a validated (and possibly blinded) program into a
 * {@link CodeBuffer}, the counterpart of the kernel's {@code do_jit}. {@link #emit} is called once
 * per convergence pass and is deterministic.
 *
 * <h2>Image layout</h2>
 * <pre>
 *   entry          called from the host: {@code jmp rel32} to the entry stub
 *   sub-program 0  at {@link #TAIL_CALL_OFFSET}: where tail calls enter
 *   sub-program 1..  a callback's (lddw BPF_PSEUDO_FUNC target's) begins with its callback
 *                  entry: {@code lea r11, [rip + body]; jmp callback trampoline}
 *   fault stubs    one per instruction that can end the run: ERROR_INSN, ERROR, jump to abort
 *   abort          only with fault stubs: the unwinding exit of every error path
 *   region check   sandbox mode only: the region-table walk for accesses outside the stack
 *   trampoline     only with callbacks: enters a sub-program from C, as the entry stub does
 *   entry stub     saves the C callee-saved registers any frame may write (all of them with
 *                  tail calls or callbacks), r12 = run context, rbp = BPF stack
 *                  top + 512, records rsp for unwinding, calls sub-program 0; for code that
 *                  can neither fail nor tail-call (no fault stub, not sandboxed) only rbp and
 *                  the stack top: nothing unwinds past the sub-programs' epilogues, which
 *                  restore what they write, and nothing reads the run context
 * </pre>
 *
 * <h2>Callbacks</h2>
 * {@code lddw rX, BPF_PSEUDO_FUNC} loads the address of the sub-program's callback entry (the
 * kernel loads the JIT'd sub-program's address), reported as its entry in
 * {@code subprogOffsets}. A helper ({@code bpf_loop}, {@code bpf_for_each_map_elem}) calls it with
 * the C signature {@code long cb(long r1, ..., long r5, long runContext)}: the trampoline saves
 * the C callee-saved registers, {@link HostAbi#SAVED_SP} and {@link HostAbi#CALL_DEPTH}, puts r10
 * at the frame below the helper's caller (depth + 1, as the interpreter does), and calls the
 * body. An error inside the callback unwinds to the trampoline only ({@code abort} returns to
 * the instruction after the call that set SAVED_SP), which restores both fields and returns to
 * the helper with {@link HostAbi#ERROR} set.
 * A sub-program that uses r10 or calls another has a frame: {@code push rbp} (its caller's r10),
 * then those of {@code rbx, r13, r14, r15} (r6..r9) it writes, then {@code rbp -= 512}; one that
 * does neither only saves what it writes (as the kernel trims its prologue): the BPF frames are
 * contiguous in the run context's stack block, below {@link HostAbi#STACK_TOP}, and never on the
 * machine stack. The entry stub and the callback trampoline save every C callee-saved register
 * themselves, since an error unwinds past the sub-programs' epilogues.
 */
final class Codegen {

    /** BPF register number to x86-64 register (the kernel's {@code reg2hex}); index 11 is BPF_REG_AX. */
    static final Reg[] MAP = {RAX, RDI, RSI, RDX, RCX, R8, RBX, R13, R14, R15, RBP, R10};
    /** Scratch registers: never BPF registers, caller-saved. */
    static final Reg TMP = R11, TMP2 = R9;
    /** Holds the run context for the whole run. */
    static final Reg CTX = R12;
    static final Reg AX = R10;

    /** Offset of sub-program 0 from the entry: a tail call enters there, past the entry stub. */
    static final int TAIL_CALL_OFFSET;

    static {
        CodeBuffer b = new CodeBuffer();
        Label stub = b.newLabel();
        new X86Asm(b).jmpNear(stub);
        TAIL_CALL_OFFSET = b.offset();
        b.bind(stub);
    }

    private final long[] insns;
    private final int n;
    private final int[] origin;
    private final int[] starts;
    private final int[] funcOf;
    private final boolean sandbox;
    /** Per sub-program: whether an lddw BPF_PSEUDO_FUNC names it (it gets a callback entry). */
    private final boolean[] callback;
    /**
     * Whether BPF-to-BPF calls keep {@link HostAbi#CALL_DEPTH}: a callback trampoline (here or in
     * a tail call's target) finds its frame by it, and sandbox mode (unverified code) checks it
     * against {@link HostAbi#MAX_CALL_FRAMES}. Verified code needs no check: the verifier bounds
     * the call chain as the kernel's does, and the kernel's JIT emits a bare call too.
     */
    private final boolean trackDepth;
    /** Whether the (full) entry stub sets rbp: some code uses a BPF frame or may enter one that does. */
    private final boolean stubSetsRbp;
    /** The C callee-saved registers the full entry stub saves, in push order. */
    private final Reg[] stubSaved;
    /** Per sub-program: whether it has a BPF frame (it uses r10 or calls a sub-program). */
    private final boolean[] frame;
    /**
     * Code that can neither fail nor call and has no BPF frame: the entry is the body itself
     * (the entry jump goes to the next instruction) and nothing sets up rbp or the run context.
     */
    private final boolean bareEntry;
    /** Per sub-program: the callee-saved registers (of rbx, r13, r14, r15) it writes and so saves. */
    private final Reg[][] saved;

    // Per pass.
    private X86Asm a;
    private CodeBuffer b;
    private Label[] insnLabel;
    private Label[] funcLabel;
    private Label[] epilogue;
    private Label abort;
    private Label regionCheck;
    private Label trampoline;
    /** Sandbox access checks by {@link #checkIndex}, and which ones this pass used. */
    private Label[] check;
    private boolean[] checkUsed;
    private Label[] callbackEntry;
    private List<Fault> faults;
    private int[] slotOffset;
    /** Per helper id called, in first-call order: its call thunk. */
    private java.util.LinkedHashMap<Integer, Label> thunks;
    private Label helperFail;

    private record Fault(Label label, int insn, int errno) {}

    /**
     * @param insns   validated slots (AX may appear: blinding)
     * @param origin  per slot, the original slot index reported in errors
     * @param starts  sorted sub-program starts, starting with 0
     * @param sandbox bounds-check every load and store
     */
    Codegen(long[] insns, int[] origin, int[] starts, boolean sandbox) {
        this.insns = insns;
        this.n = insns.length;
        this.origin = origin;
        this.starts = starts;
        this.sandbox = sandbox;
        this.funcOf = new int[n];
        for (int f = 0, pc = 0; pc < n; pc++) {
            while (f + 1 < starts.length && starts[f + 1] <= pc) f++;
            funcOf[pc] = f;
        }
        this.saved = new Reg[starts.length][];
        this.frame = new boolean[starts.length];
        boolean anyCall = false;
        for (int f = 0; f < starts.length; f++) {
            int end = f + 1 < starts.length ? starts[f + 1] : n;
            boolean[] w = new boolean[16];
            boolean calls = false;
            for (int pc = starts[f]; pc < end; pc++) {
                long x = insns[pc];
                int code = Insn.code(x);
                int cls = bpfClass(code);
                if (cls == BPF_ALU || cls == BPF_ALU64 || cls == BPF_LDX || cls == BPF_LD) w[Insn.dst(x)] = true;
                else if (cls == BPF_STX && bpfMode(code) == BPF_ATOMIC) w[Insn.src(x)] = true; // fetch, xchg
                if (isLdImm64(code)) {
                    pc++;
                    continue;
                }
                InsnKind kind = InsnKind.of(x);
                if (kind == InsnKind.CALL_LOCAL) frame[f] = true;
                if (kind == InsnKind.CALL_HELPER || kind == InsnKind.CALL_LOCAL) calls = true;
                if (usesR10(x)) frame[f] = true;
            }
            anyCall |= calls;
            List<Reg> regs = new ArrayList<>();
            for (int r = 6; r <= 9; r++) if (w[r]) regs.add(MAP[r]);
            // rsp % 16 == 0 in a body that calls (a helper is an upcall into the JVM): an odd
            // number of pushes after the return address, rbp included when it has a frame
            if (calls && regs.size() == 4) frame[f] = true; // no free register to pad with: rbp is the fifth push
            int parity = frame[f] ? 0 : 1;
            if (frame[f] || calls) for (int r = 6; r <= 9 && regs.size() % 2 != parity; r++) if (!w[r]) regs.add(MAP[r]);
            regs.sort(java.util.Comparator.comparingInt(x -> java.util.Arrays.asList(MAP).indexOf(x)));
            saved[f] = regs.toArray(Reg[]::new);
        }
        boolean framed = false;
        for (boolean x : frame) framed |= x;
        boolean callbacks = false, tailCalls = false;
        for (int pc = 0; pc < n; pc++) {
            long x = insns[pc];
            if (isLdImm64(Insn.code(x))) {
                callbacks |= Insn.src(x) == BPF_PSEUDO_FUNC;
                pc++;
            } else if (InsnKind.of(x) == InsnKind.CALL_HELPER && Insn.imm(x) == BPF_FUNC_TAIL_CALL) {
                tailCalls = true;
            }
        }
        this.trackDepth = sandbox || callbacks || tailCalls;
        // What the entry stub saves: an error unwinds every frame at once, so each C callee-saved
        // register any frame may write; a tail call's target may write any of them
        this.stubSetsRbp = framed || sandbox || tailCalls || callbacks;
        List<Reg> keep = new ArrayList<>();
        if (stubSetsRbp) keep.add(RBP);
        keep.add(RBX);
        keep.add(R12);
        keep.add(R13);
        keep.add(R14);
        keep.add(R15);
        if (!tailCalls && !callbacks) {
            java.util.Set<Reg> written = new java.util.HashSet<>();
            for (Reg[] regs : saved) written.addAll(java.util.Arrays.asList(regs));
            keep.removeIf(r -> r != RBP && r != R12 && !written.contains(r));
        }
        this.stubSaved = keep.toArray(Reg[]::new);
        this.bareEntry = !sandbox && !anyCall && !framed;
        this.callback = new boolean[starts.length];
        for (int pc = 0; pc < n; pc++) {
            long w = insns[pc];
            if (!isLdImm64(Insn.code(w))) continue;
            if (Insn.src(w) == BPF_PSEUDO_FUNC) callback[subprogAt(pc + 1 + Insn.imm(w))] = true;
            pc++;
        }
    }

    /** The sub-program that starts at slot {@code pc}. */
    private int subprogAt(int pc) {
        int f = java.util.Arrays.binarySearch(starts, pc);
        if (f <= 0) throw new IllegalStateException("slot " + pc + " does not start a sub-program other than the main one");
        return f;
    }

    /** Byte offset of each slot's code in the last pass (n + 1 entries). */
    int[] slotOffsets() {
        return slotOffset.clone();
    }

    int[] subprogOffsets() {
        int[] r = new int[starts.length];
        for (int f = 1; f < starts.length; f++) r[f] = b.offsetOf(callback[f] ? callbackEntry[f] : funcLabel[f]);
        return r;
    }

    void emit(CodeBuffer buf) {
        this.b = buf;
        this.a = new X86Asm(buf);
        insnLabel = new Label[n];
        for (int i = 0; i < n; i++) insnLabel[i] = buf.newLabel();
        funcLabel = new Label[starts.length];
        epilogue = new Label[starts.length];
        for (int f = 0; f < starts.length; f++) {
            funcLabel[f] = buf.newLabel();
            epilogue[f] = buf.newLabel();
        }
        abort = buf.newLabel();
        regionCheck = buf.newLabel();
        trampoline = buf.newLabel();
        check = new Label[8];
        for (int i = 0; i < check.length; i++) check[i] = buf.newLabel();
        checkUsed = new boolean[8];
        callbackEntry = new Label[starts.length];
        for (int f = 0; f < starts.length; f++) callbackEntry[f] = buf.newLabel();
        faults = new ArrayList<>();
        slotOffset = new int[n + 1];
        thunks = new java.util.LinkedHashMap<>();
        helperFail = buf.newLabel();

        Label entryStub = buf.newLabel();
        a.jmpNear(bareEntry ? funcLabel[0] : entryStub);
        if (buf.offset() != TAIL_CALL_OFFSET) throw new IllegalStateException("entry jump size changed");
        for (int f = 0; f < starts.length; f++) {
            int end = f + 1 < starts.length ? starts[f + 1] : n;
            if (callback[f]) {
                buf.bind(callbackEntry[f]);
                a.leaRip(TMP, funcLabel[f]);
                a.jmp(trampoline);
            }
            buf.bind(funcLabel[f]);
            prologue(f);
            for (int pc = starts[f]; pc < end; pc++) {
                buf.bind(insnLabel[pc]);
                slotOffset[pc] = buf.offset();
                if (isLdImm64(Insn.code(insns[pc]))) {
                    ldImm64(pc);
                    pc++;
                    buf.bind(insnLabel[pc]);
                    slotOffset[pc] = buf.offset();
                    continue;
                }
                insn(pc, end);
            }
            buf.bind(epilogue[f]);
            epilogue(f);
        }
        slotOffset[n] = buf.offset();
        emitHelperThunks();
        for (int i = 0; i < faults.size(); i++) {
            Fault fault = faults.get(i);
            buf.bind(fault.label);
            a.storeImm(4, CTX, HostAbi.ERROR_INSN, fault.insn);
            if (fault.errno != 0) a.storeImm(4, CTX, HostAbi.ERROR, fault.errno);
            if (i < faults.size() - 1) a.jmp(abort); // the last one falls into it
        }
        if (!faults.isEmpty() || sandbox || !thunks.isEmpty()) {
            // Every error path: unwind all BPF frames at once, to just after the call of the entry
            // (or callback trampoline) that saved SAVED_SP, whose return address lies below it.
            buf.bind(abort);
            a.aluRM(MOV, true, RSP, CTX, HostAbi.SAVED_SP);
            a.aluRI(EXT_SUB, true, RSP, 8);
            a.ret();
        }
        if (sandbox) {
            emitRegionCheck();
            for (int i = 0; i < check.length; i++) if (checkUsed[i]) emitAccessCheck(1 << (i / 2), (i & 1) != 0);
        }
        buf.bind(entryStub);
        if (bareEntry) {
            if (!faults.isEmpty()) throw new IllegalStateException("a bare entry with fault stubs");
        } else if (faults.isEmpty() && !sandbox && thunks.isEmpty()) {
            emitPlainEntryStub(a, funcLabel[0]);
        } else {
            emitEntryStub(funcLabel[0]);
        }
        for (boolean c : callback) {
            if (c) {
                emitTrampoline();
                break;
            }
        }
    }

    // ---- frames ----

    /** The entry stub of code that cannot fail: see the class comment. */
    private static void emitPlainEntryStub(X86Asm a, Label body) {
        a.push(RBP); // rsp % 16 == 0 at the call below
        a.aluRM(MOV, true, RBP, RDX, HostAbi.STACK_TOP);
        a.aluRI(EXT_ADD, true, RBP, HostAbi.STACK_FRAME);
        a.call(body);
        a.pop(RBP);
        a.ret();
    }

    private void emitEntryStub(Label body) {
        for (Reg r : stubSaved) a.push(r);
        boolean pad = stubSaved.length % 2 == 0;
        if (pad) a.push(RAX); // rsp % 16 == 0 at the call below
        a.movRR(true, CTX, RDX);
        if (stubSetsRbp) {
            a.aluRM(MOV, true, RBP, RDX, HostAbi.STACK_TOP);
            a.aluRI(EXT_ADD, true, RBP, HostAbi.STACK_FRAME); // each prologue subtracts one frame
        }
        a.aluMR(false, MOV, true, CTX, HostAbi.SAVED_SP, RSP);
        a.call(body); // abort returns here too
        if (pad) a.pop(RCX);
        for (int i = stubSaved.length - 1; i >= 0; i--) a.pop(stubSaved[i]);
        a.ret();
    }

    /**
     * {@code long cb(long r1, ..., long r5, long runContext)} with r11 = the sub-program's body:
     * a callback called by a helper from C. See the class comment.
     */
    private void emitTrampoline() {
        b.bind(trampoline);
        a.push(RBP);
        a.push(RBX);
        a.push(R12);
        a.push(R13);
        a.push(R14);
        a.push(R15);
        a.movRR(true, CTX, R9);
        a.aluRM(MOV, true, AX, CTX, HostAbi.SAVED_SP);
        a.push(AX);
        a.aluRM(MOV, false, AX, CTX, HostAbi.CALL_DEPTH);
        a.push(AX);
        a.aluRI(EXT_SUB, true, RSP, 8); // rsp % 16 == 0 at the call below
        a.shiftRI(SHL, true, AX, Integer.numberOfTrailingZeros(HostAbi.STACK_FRAME));
        a.aluRM(MOV, true, RBP, CTX, HostAbi.STACK_TOP);
        a.aluRR(SUB, true, RBP, AX); // r10 of the helper's caller; the prologue goes one frame down
        a.incDec(true, CTX, HostAbi.CALL_DEPTH);
        a.aluMR(false, MOV, true, CTX, HostAbi.SAVED_SP, RSP);
        a.callR(TMP); // abort returns here too
        a.aluRI(EXT_ADD, true, RSP, 8);
        a.pop(AX);
        a.aluMR(false, MOV, false, CTX, HostAbi.CALL_DEPTH, AX);
        a.pop(AX);
        a.aluMR(false, MOV, true, CTX, HostAbi.SAVED_SP, AX);
        a.pop(R15);
        a.pop(R14);
        a.pop(R13);
        a.pop(R12);
        a.pop(RBX);
        a.pop(RBP);
        a.ret();
    }

    private void prologue(int f) {
        if (frame[f]) a.push(RBP);
        for (Reg r : saved[f]) a.push(r);
        if (frame[f]) a.aluRI(EXT_SUB, true, RBP, HostAbi.STACK_FRAME);
    }

    /** Whether {@code x} (not an lddw) names r10 as a register: a frameless sub-program never does. */
    private static boolean usesR10(long x) {
        int code = Insn.code(x);
        int cls = bpfClass(code);
        return switch (cls) {
            case BPF_LDX -> Insn.src(x) == 10 || Insn.dst(x) == 10;
            case BPF_ST -> Insn.dst(x) == 10;
            case BPF_STX -> Insn.src(x) == 10 || Insn.dst(x) == 10;
            case BPF_ALU, BPF_ALU64, BPF_JMP, BPF_JMP32 -> Insn.dst(x) == 10 || bpfSrc(code) == BPF_X && Insn.src(x) == 10;
            default -> Insn.dst(x) == 10 || Insn.src(x) == 10;
        };
    }

    /** Pops sub-program {@code f}'s frame, leaving rsp as at its entry (the return address on top). */
    private void popFrame(int f) {
        for (int i = saved[f].length - 1; i >= 0; i--) a.pop(saved[f][i]);
        if (frame[f]) a.pop(RBP);
    }

    private void epilogue(int f) {
        popFrame(f);
        a.ret();
    }

    private Label fault(int pc, int errno) {
        Label l = b.newLabel();
        faults.add(new Fault(l, origin[pc], errno));
        return l;
    }

    // ---- instructions ----

    private static Reg r(int bpfReg) {
        return MAP[bpfReg];
    }

    private void insn(int pc, int end) {
        long w = insns[pc];
        int code = Insn.code(w);
        int cls = bpfClass(code);
        int dst = Insn.dst(w);
        int src = Insn.src(w);
        short off = Insn.off(w);
        int imm = Insn.imm(w);
        InsnKind kind = InsnKind.of(w);
        switch (cls) {
            case BPF_ALU, BPF_ALU64 -> alu(kind, cls == BPF_ALU64, bpfSrc(code) == BPF_X, r(dst), r(src), off, imm);
            case BPF_LDX -> {
                int size = sizeBytes(bpfSize(code));
                Reg base = address(pc, r(src), off, size, false);
                int disp = base == TMP ? 0 : off;
                if (kind == InsnKind.LDXSX) a.loadSx(size, r(dst), base, disp);
                else a.load(size, r(dst), base, disp);
            }
            case BPF_ST -> {
                int size = sizeBytes(bpfSize(code));
                Reg base = address(pc, r(dst), off, size, true);
                a.storeImm(size, base, base == TMP ? 0 : off, imm);
            }
            case BPF_STX -> {
                int size = sizeBytes(bpfSize(code));
                Reg base = address(pc, r(dst), off, size, true);
                int disp = base == TMP ? 0 : off;
                if (kind == InsnKind.STX) a.store(size, base, disp, r(src));
                else atomic(kind, size == 8, base, disp, r(src));
            }
            case BPF_JMP, BPF_JMP32 -> jmp(pc, end, kind, cls == BPF_JMP, bpfSrc(code) == BPF_X, r(dst), src, off, imm);
            default -> throw new IllegalStateException("insn " + origin[pc] + ": class " + cls + " reached code generation");
        }
    }

    private void ldImm64(int pc) {
        long w = insns[pc];
        Reg dst = r(Insn.dst(w));
        int hi = Insn.imm(insns[pc + 1]);
        switch (Insn.src(w)) {
            case 0 -> a.loadImm64(dst, (Insn.imm(w) & 0xffffffffL) | (long) hi << 32);
            case BPF_PSEUDO_MAP_IDX -> a.movabs(dst, Symbol.map(Insn.imm(w)), 0);
            case BPF_PSEUDO_MAP_IDX_VALUE -> a.movabs(dst, Symbol.mapValue(Insn.imm(w)), hi & 0xffffffffL);
            case BPF_PSEUDO_FUNC -> a.leaRip(dst, callbackEntry[subprogAt(pc + 1 + Insn.imm(w))]);
            default -> throw new IllegalStateException("insn " + origin[pc] + ": lddw src " + Insn.src(w) + " reached code generation");
        }
    }

    private void alu(InsnKind kind, boolean w, boolean x, Reg dst, Reg src, short off, int imm) {
        switch (kind) {
            case ADD -> aluOp(ADD, EXT_ADD, w, x, dst, src, imm);
            case SUB -> aluOp(SUB, EXT_SUB, w, x, dst, src, imm);
            case AND -> aluOp(AND, EXT_AND, w, x, dst, src, imm);
            case OR -> aluOp(OR, EXT_OR, w, x, dst, src, imm);
            case XOR -> aluOp(XOR, EXT_XOR, w, x, dst, src, imm);
            case MOV -> {
                if (x) {
                    if (!w || dst != src) a.movRR(w, dst, src); // mov r32, r32 zero-extends
                } else if (imm == 0) {
                    a.aluRR(XOR, false, dst, dst);
                } else if (!w || imm > 0) {
                    a.movRI32(dst, imm);
                } else {
                    a.movRI64sx(dst, imm);
                }
            }
            case MOVSX -> a.movsxRR(w, off, dst, src);
            case MUL -> {
                if (x) a.imulRR(w, dst, src);
                else a.imulRRI(w, dst, dst, imm);
            }
            case DIV, MOD, SDIV, SMOD -> divmod(w, kind == InsnKind.SDIV || kind == InsnKind.SMOD,
                    kind == InsnKind.MOD || kind == InsnKind.SMOD, x, dst, src, imm);
            case LSH -> shift(SHL, w, x, dst, src, imm);
            case RSH -> shift(SHR, w, x, dst, src, imm);
            case ARSH -> shift(SAR, w, x, dst, src, imm);
            case NEG -> a.neg(w, dst);
            case LE -> {
                switch (imm) {
                    case 16 -> a.movzxRR(16, dst, dst);
                    case 32 -> a.movRR(false, dst, dst);
                    default -> { } // 64: nothing to do on a little-endian host
                }
            }
            case BE, BSWAP -> {
                switch (imm) {
                    case 16 -> {
                        a.ror16(dst, 8);
                        a.movzxRR(16, dst, dst);
                    }
                    case 32 -> a.bswap(false, dst);
                    default -> a.bswap(true, dst);
                }
            }
            default -> throw new IllegalStateException(kind + " is not an ALU operation");
        }
    }

    private void aluOp(int opcode, int ext, boolean w, boolean x, Reg dst, Reg src, int imm) {
        if (x) a.aluRR(opcode, w, dst, src);
        else a.aluRI(ext, w, dst, imm);
    }

    /**
     * Division and modulo with the ISA's results where x86 would fault: by zero, dst = 0 (div)
     * or unchanged (mod; the 32-bit forms zero-extend); signed by -1, dst = -dst (div, so
     * LLONG_MIN / -1 is LLONG_MIN) or 0 (mod). rax and rdx are saved in r9/r10 around div.
     */
    private void divmod(boolean w, boolean signed, boolean mod, boolean x, Reg dst, Reg src, int imm) {
        if (x) a.movRR(w, TMP, src);
        else if (w) a.loadImm64(TMP, imm);
        else a.movRI32(TMP, imm);
        Label nonZero = b.newLabel();
        Label done = b.newLabel();
        a.aluRR(TEST, w, TMP, TMP);
        a.jcc(CC_NE, nonZero);
        if (!mod) a.aluRR(XOR, false, dst, dst);
        else if (!w) a.movRR(false, dst, dst);
        a.jmp(done);
        b.bind(nonZero);
        if (signed) {
            Label normal = b.newLabel();
            a.aluRI(EXT_CMP, w, TMP, -1);
            a.jcc(CC_NE, normal);
            if (!mod) a.neg(w, dst);
            else a.aluRR(XOR, false, dst, dst);
            a.jmp(done);
            b.bind(normal);
        }
        a.movRR(true, TMP2, RAX);
        a.movRR(true, AX, RDX);
        if (dst != RAX) a.movRR(w, RAX, dst);
        else if (!w) a.movRR(false, RAX, RAX);
        if (signed) a.cqo(w);
        else a.aluRR(XOR, false, RDX, RDX);
        a.div(w, signed, TMP);
        a.movRR(true, TMP, mod ? RDX : RAX);
        a.movRR(true, RDX, AX);
        a.movRR(true, RAX, TMP2);
        a.movRR(w, dst, TMP);
        b.bind(done);
    }

    /** Shifts: x86 masks the count exactly as BPF does (by 63, or 31 for 32-bit operations). */
    private void shift(int ext, boolean w, boolean x, Reg dst, Reg src, int imm) {
        if (!x) {
            int k = imm & (w ? 63 : 31);
            if (k != 0) a.shiftRI(ext, w, dst, k);
            else if (!w) a.movRR(false, dst, dst); // still a 32-bit result: zero-extend
            return;
        }
        if (src == RCX) {
            a.shiftRCl(ext, w, dst);
        } else if (dst == RCX) {
            a.movRR(true, TMP, RCX);
            a.movRR(true, RCX, src);
            a.shiftRCl(ext, w, TMP);
            a.movRR(w, RCX, TMP);
        } else {
            a.movRR(true, TMP, RCX);
            a.movRR(true, RCX, src);
            a.shiftRCl(ext, w, dst);
            a.movRR(true, RCX, TMP);
        }
    }

    // ---- memory ----

    /**
     * The base register for an access of {@code size} bytes at {@code base + off}: r11 (then
     * with displacement 0) when sandbox mode checks it: the address is computed into r11 and
     * checked, inside the active stack frames inline, else against the run's region table; a
     * refused access ends the run with EFAULT.
     */
    private Reg address(int pc, Reg base, int off, int size, boolean write) {
        if (!sandbox) return base;
        // r10 is read-only (InsnDecoder refuses writes to it) and always the top of the current
        // frame: an r10-relative access inside the frame needs no check
        if (base == MAP[10] && off >= -HostAbi.STACK_FRAME && off + size <= 0) return base;
        a.lea(TMP, base, off);
        a.movRI32(TMP2, origin[pc]);
        int k = checkIndex(size, write);
        checkUsed[k] = true;
        a.call(check[k]);
        return TMP;
    }

    private static int checkIndex(int size, boolean write) {
        return Integer.numberOfTrailingZeros(size) * 2 + (write ? 1 : 0);
    }

    /**
     * The check of an access of {@code size} bytes at r11, r9d = its slot: returns if the access
     * lies in the active stack frames; else goes on to the region walk with the slot recorded.
     * Out of line (one per width and direction used) so that each access costs a call.
     */
    private void emitAccessCheck(int size, boolean write) {
        Label slow = b.newLabel();
        b.bind(check[checkIndex(size, write)]);
        a.push(TMP2);
        a.lea(TMP2, RBP, -HostAbi.STACK_FRAME);
        a.aluRR(CMP, true, TMP, TMP2);
        a.jcc(CC_B, slow);
        a.aluRM(MOV, true, TMP2, CTX, HostAbi.STACK_TOP);
        a.aluRI(EXT_SUB, true, TMP2, size);
        a.aluRR(CMP, true, TMP, TMP2);
        a.jcc(CC_A, slow);
        a.pop(TMP2);
        a.ret();
        b.bind(slow);
        a.pop(TMP2);
        a.aluMR(false, MOV, false, CTX, HostAbi.ERROR_INSN, TMP2);
        a.movRI32(TMP2, size | (write ? HostAbi.ACCESS_WRITE : 0));
        a.jmp(regionCheck); // returns to the access, or ends the run
    }

    /** Walks the region table for r11 (address), r9d (width | write bit); returns if allowed. */
    private void emitRegionCheck() {
        Label loop = b.newLabel();
        Label next = b.newLabel();
        Label ok = b.newLabel();
        Label fail = b.newLabel();
        b.bind(regionCheck);
        a.push(RAX);
        a.push(RCX);
        a.push(RDX);
        a.aluRM(MOV, false, RCX, CTX, HostAbi.REGION_COUNT);
        a.lea(RAX, CTX, HostAbi.REGIONS);
        b.bind(loop);
        a.aluRR(TEST, false, RCX, RCX);
        a.jcc(CC_E, fail);
        a.aluRM(CMP, true, TMP, RAX, HostAbi.REGION_START);
        a.jcc(CC_B, next);
        a.movRR(false, RDX, TMP2);
        a.aluRI(EXT_AND, false, RDX, 0xff);
        a.neg(true, RDX);
        a.aluRM(ADD, true, RDX, RAX, HostAbi.REGION_END);
        a.aluRR(CMP, true, TMP, RDX);
        a.jcc(CC_A, next);
        a.testRI(false, TMP2, HostAbi.ACCESS_WRITE);
        a.jcc(CC_E, ok);
        a.aluMI(EXT_CMP, true, RAX, HostAbi.REGION_WRITABLE, 0);
        a.jcc(CC_E, next);
        b.bind(ok);
        a.pop(RDX);
        a.pop(RCX);
        a.pop(RAX);
        a.ret();
        b.bind(next);
        a.aluRI(EXT_ADD, true, RAX, HostAbi.REGION_SIZE);
        a.aluRI(EXT_SUB, false, RCX, 1);
        a.jmp(loop);
        b.bind(fail);
        a.aluMR(false, MOV, true, CTX, HostAbi.ERROR_ADDRESS, TMP);
        a.aluMR(false, MOV, false, CTX, HostAbi.ERROR_ACCESS, TMP2);
        a.storeImm(4, CTX, HostAbi.ERROR, HostAbi.EFAULT);
        a.jmp(abort);
    }

    private void atomic(InsnKind kind, boolean w, Reg base, int disp, Reg src) {
        switch (kind) {
            case ATOMIC_ADD -> a.aluMR(true, ADD, w, base, disp, src);
            case ATOMIC_OR -> a.aluMR(true, OR, w, base, disp, src);
            case ATOMIC_AND -> a.aluMR(true, AND, w, base, disp, src);
            case ATOMIC_XOR -> a.aluMR(true, XOR, w, base, disp, src);
            case ATOMIC_FETCH_ADD -> a.lockXadd(w, base, disp, src);
            case ATOMIC_XCHG -> a.xchg(w, base, disp, src);
            case ATOMIC_CMPXCHG -> {
                a.lockCmpxchg(w, base, disp, src);
                if (!w) a.movRR(false, RAX, RAX); // r0 = (u32) old, also when the exchange succeeded
            }
            case ATOMIC_FETCH_OR, ATOMIC_FETCH_AND, ATOMIC_FETCH_XOR -> {
                int op = kind == InsnKind.ATOMIC_FETCH_OR ? OR : kind == InsnKind.ATOMIC_FETCH_AND ? AND : XOR;
                // The kernel's cmpxchg loop: rax is cmpxchg's operand, so r0 lives in AX meanwhile.
                if (base == TMP) {
                    a.movRR(true, TMP2, TMP);
                    base = TMP2;
                }
                a.movRR(true, AX, RAX);
                Reg realBase = base == RAX ? AX : base;
                Reg realSrc = src == RAX ? AX : src;
                Label loop = b.newLabel();
                b.bind(loop);
                a.load(w ? 8 : 4, RAX, realBase, disp);
                a.movRR(w, TMP, RAX);
                a.aluRR(op, w, TMP, realSrc);
                a.lockCmpxchg(w, realBase, disp, TMP);
                a.jcc(CC_NE, loop);
                if (src != RAX) {
                    a.movRR(w, src, RAX);
                    a.movRR(true, RAX, AX);
                }
            }
            default -> throw new IllegalStateException(kind + " is not an atomic operation");
        }
    }

    // ---- jumps, calls, exit ----

    private void jmp(int pc, int end, InsnKind kind, boolean w, boolean x, Reg dst, int srcField, short off, int imm) {
        switch (kind) {
            case JA, GOTOL -> {
                int target = pc + 1 + (kind == InsnKind.JA ? off : imm);
                if (target != pc + 1) a.jmp(insnLabel[target]);
            }
            case EXIT -> {
                if (pc != end - 1) a.jmp(epilogue[funcOf[pc]]);
            }
            case CALL_HELPER -> {
                if (imm == BPF_FUNC_TAIL_CALL) tailCall(pc);
                else helperCall(pc, imm);
            }
            case CALL_LOCAL -> {
                int target = pc + 1 + imm;
                if (sandbox) {
                    a.aluMI(EXT_CMP, false, CTX, HostAbi.CALL_DEPTH, HostAbi.MAX_CALL_FRAMES - 1);
                    a.jcc(CC_AE, fault(pc, HostAbi.E2BIG));
                }
                if (trackDepth) a.incDec(true, CTX, HostAbi.CALL_DEPTH);
                a.call(funcLabel[funcOf[target]]);
                if (trackDepth) a.incDec(false, CTX, HostAbi.CALL_DEPTH);
            }
            default -> {
                Reg src = r(srcField);
                int cc = switch (kind) {
                    case JEQ -> CC_E;
                    case JNE, JSET -> CC_NE;
                    case JGT -> CC_A;
                    case JGE -> CC_AE;
                    case JLT -> CC_B;
                    case JLE -> CC_BE;
                    case JSGT -> CC_G;
                    case JSGE -> CC_GE;
                    case JSLT -> CC_L;
                    case JSLE -> CC_LE;
                    default -> throw new IllegalStateException(kind + " is not a conditional jump");
                };
                if (kind == InsnKind.JSET) {
                    if (x) a.aluRR(TEST, w, dst, src);
                    else a.testRI(w, dst, imm);
                } else if (x) {
                    a.aluRR(CMP, w, dst, src);
                } else {
                    a.aluRI(EXT_CMP, w, dst, imm);
                }
                a.jcc(cc, insnLabel[pc + 1 + off]);
            }
        }
    }

    static final int BPF_FUNC_TAIL_CALL = 12;

    /**
     * A helper call is {@code call rel32} to the helper's thunk, 5 bytes as in the kernel's JIT:
     * r1..r5 are already in the C argument registers and r0 is rax (the mapping is chosen for it).
     */
    private void helperCall(int pc, int id) {
        a.call(thunks.computeIfAbsent(id, k -> b.newLabel()));
    }

    /**
     * One thunk per helper called: the helper's address (one relocation per helper, not per
     * call), the call with rsp % 16 == 0 (the thunk's return address and one push), and the check
     * of the run's error word. A failed call ends the run at {@code helperFail}, which records
     * the call site's return address in {@link HostAbi#ERROR_ADDRESS}: the runtime, which knows
     * a helper failed, maps it to the call's slot through the image's instruction offsets.
     */
    private void emitHelperThunks() {
        if (thunks.isEmpty()) return;
        for (var t : thunks.entrySet()) {
            b.bind(t.getValue());
            a.push(RAX); // realigns; popped into rcx (r4), which a helper call clobbers anyway
            a.movabs(TMP, Symbol.helper(t.getKey()), 0);
            a.callR(TMP);
            a.pop(RCX);
            a.aluMI(EXT_CMP, false, CTX, HostAbi.ERROR, 0);
            a.jcc(CC_NE, helperFail);
            a.ret();
        }
        b.bind(helperFail);
        a.pop(TMP);
        a.aluMR(false, MOV, true, CTX, HostAbi.ERROR_ADDRESS, TMP);
        if (!faults.isEmpty()) a.jmp(abort); // else it falls into abort
    }

    /**
     * {@code bpf_tail_call(ctx, prog_array, index)}: the runtime looks the target up (bounds,
     * count, slot) and answers its entry or 0; on a hit this frame is popped and the target
     * entered past its entry stub, with rbp (r10) as this frame's caller had it.
     */
    private void tailCall(int pc) {
        Label fallThrough = b.newLabel();
        a.push(RDI);
        a.push(RAX);
        a.movRR(true, RDI, CTX);
        a.movabs(TMP, Symbol.runtime(HostAbi.TAIL_CALL_SYMBOL), 0);
        a.callR(TMP);
        a.movRR(true, TMP, RAX);
        a.pop(RAX);
        a.pop(RDI);
        a.aluMI(EXT_CMP, false, CTX, HostAbi.ERROR, 0);
        a.jcc(CC_NE, fault(pc, 0));
        a.aluRR(TEST, true, TMP, TMP);
        a.jcc(CC_E, fallThrough);
        popFrame(funcOf[pc]);
        a.lea(TMP, TMP, TAIL_CALL_OFFSET);
        a.jmpR(TMP);
        b.bind(fallThrough);
    }
}
