package org.obpf.jit.nfp;

import static org.obpf.api.insn.Opcodes.*;
import static org.obpf.jit.nfp.NfpAsm.*;
import static org.obpf.jit.nfp.NfpReg.a;
import static org.obpf.jit.nfp.NfpReg.b;
import static org.obpf.jit.nfp.NfpReg.both;
import static org.obpf.jit.nfp.NfpReg.imm;
import static org.obpf.jit.nfp.NfpReg.lm;
import static org.obpf.jit.nfp.NfpReg.none;
import static org.obpf.jit.nfp.NfpReg.xfer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.obpf.api.insn.Insn;
import org.obpf.api.jit.Refusal;
import org.obpf.api.prog.ProgramType;
import org.obpf.jit.nfp.PtrTypes.Kind;
import org.obpf.jit.nfp.PtrTypes.Val;

/**
 * The BPF to NFP translator: the kernel's {@code nfp/bpf/jit.c} ({@code nfp_translate}) for one
 * verified program, plus the checks of its {@code verifier.c} ({@code nfp_verify_insn}) that
 * decide what the NFP refuses, each with the kernel's reason.
 *
 * <p>Register mapping: BPF register N is the GPR pair 2N (low word) / 2N+1 (high word) in both
 * banks; the frame pointer is never materialised (stack accesses become local-memory accesses at
 * offsets the translator knows). GPR 20 and 21 are scratch, A22 holds the stack base in local
 * memory and B22 the packet length; the packet vector is at {@code *l$index1}. Code layout:
 * intro (packet length), one block per BPF instruction, the XDP or tc outro (abort and exit
 * targets), eight nops for the prefetch window. Every branch carries a relocation type in its
 * top byte as the kernel does ({@link Relo}).
 */
final class Codegen {
    // main.h
    static final int STATIC_REG_IMMA = 20, STATIC_REG_IMM = 21, STATIC_REG_STACK = 22, STATIC_REG_PKT_LEN = 22;
    static final int PKT_VEC_PKT_LEN = 0, PKT_VEC_PKT_PTR = 2, PKT_VEC_QSEL_SET = 4, PKT_VEC_QSEL_VAL = 6;
    static final int PKT_VEL_QSEL_SET_BIT = 4;
    static final int NFP_NET_RXR_MAX = 64;
    static final int ETH_HLEN = 14;
    /** Pointer kinds as the firmware's perf_event_output reads them (fw.h, equal to the kernel's bpf_reg_type). */
    static final int NFP_BPF_MAP_VALUE = 4, NFP_BPF_STACK = 6, NFP_BPF_PACKET_DATA = 8;
    /** Code-store words the branch address field can reach. */
    static final int CODE_STORE_WORDS = BR_ADDR_MAX + 1;

    static final int FUNC_map_lookup_elem = 1, FUNC_map_update_elem = 2, FUNC_map_delete_elem = 3,
            FUNC_get_prandom_u32 = 7, FUNC_perf_event_output = 25, FUNC_xdp_adjust_head = 44, FUNC_xdp_adjust_tail = 65;
    static final long BPF_F_CURRENT_CPU = 0xffffffffL;

    private static final NfpReg PV_LEN = lm(1, PKT_VEC_PKT_LEN), PPTR = lm(1, PKT_VEC_PKT_PTR);
    private static final NfpReg QSEL_SET = lm(1, PKT_VEC_QSEL_SET), QSEL_VAL = lm(1, PKT_VEC_QSEL_VAL);
    private static final NfpReg STACK_REG = a(STATIC_REG_STACK), PLEN = b(STATIC_REG_PKT_LEN);
    private static final NfpReg IMM_A = a(STATIC_REG_IMM), IMM_B = b(STATIC_REG_IMM), IMM_BOTH = both(STATIC_REG_IMM);
    private static final NfpReg IMMA_A = a(STATIC_REG_IMMA), IMMA_B = b(STATIC_REG_IMMA);
    /** NFP_BPF_ABI_FLAGS. */
    private static final NfpReg ABI_FLAGS = imm(0);

    private final long[] insns;
    private final ProgramType type;
    private final int stackDepth;
    private final PtrTypes ptr;

    private long[] out = new long[256];
    private int len;
    /** Word index where each BPF slot's code starts, plus one for the end of the translated code. */
    final int[] insnOff;
    int tgtOut = -1, tgtAbort = -1;

    Codegen(long[] insns, ProgramType type, int stackDepth) {
        this.insns = insns;
        this.type = type;
        this.stackDepth = (stackDepth + 3) & ~3;
        this.ptr = new PtrTypes(insns, type);
        this.insnOff = new int[insns.length + 1];
    }

    // ======================= checks (verifier.c) =======================

    /** Every reason the NFP cannot run this program, instruction by instruction. */
    List<Refusal> refusals() {
        List<Refusal> r = new ArrayList<>();
        if (type != ProgramType.XDP && type != ProgramType.SCHED_CLS) {
            r.add(new Refusal(Refusal.Kind.PROGRAM_TYPE, -1, "program type " + type.kernelName() + " is not supported by nfp (only xdp and sched_cls)"));
            return r;
        }
        if (stackDepth > NfpJitBackend.FW_STACK_BYTES) {
            r.add(new Refusal(Refusal.Kind.SIZE, -1, "stack too large: program " + stackDepth + "B > FW stack " + NfpJitBackend.FW_STACK_BYTES + "B"));
        }
        for (int pc = 0; pc < insns.length; pc++) {
            long w = insns[pc];
            if (ptr.in[pc] != null) {
                String why = check(pc, w);
                if (why != null) {
                    Refusal.Kind kind = why.startsWith("unsupported function id") ? Refusal.Kind.HELPER : Refusal.Kind.INSTRUCTION;
                    r.add(new Refusal(kind, pc, "insn " + pc + ": " + why));
                }
            }
            if (isLdImm64(Insn.code(w))) pc++;
        }
        return r;
    }

    private static String notSupported(int code) {
        return String.format("instruction %#02x not supported", code);
    }

    /** The reason one reachable instruction cannot be translated, or null. */
    private String check(int pc, long w) {
        int code = Insn.code(w), cls = bpfClass(code), op = bpfOp(code);
        switch (cls) {
            case BPF_ALU, BPF_ALU64 -> {
                boolean wide = cls == BPF_ALU64, x = bpfSrc(code) == BPF_X;
                switch (op) {
                    case BPF_DIV -> {
                        // nfp_bpf_check_alu: reciprocal multiplication, for a constant divisor and a 32-bit dividend
                        if (Insn.off(w) != 0) return notSupported(code) + ": signed division (cpu v4)";
                        if (x) return "divisor is not constant: the NFP divides by reciprocal multiplication, for constant divisors only";
                        if (wide && !ptr.reg(pc, Insn.dst(w)).u32()) return "dividend is not within u32 value range";
                        if (Insn.imm(w) < 0) return "divide by negative constant is not supported";
                        if (Insn.imm(w) == 0) return "division by zero";
                    }
                    case BPF_MOD -> { return notSupported(code) + ": the NFP has no divide instruction"; }
                    case BPF_MUL -> {
                        // the NFP multiplies 32x32 at most: 64-bit operands must be known to fit 32 bits
                        if (wide && !ptr.reg(pc, Insn.dst(w)).u32()) return "multiplier is not within u32 value range";
                        if (wide && x && !ptr.reg(pc, Insn.src(w)).u32()) return "multiplicand is not within u32 value range";
                        if (wide && !x && Insn.imm(w) < 0) return "sign extended multiplicand won't be within u32 value range";
                    }
                    case BPF_MOV -> { if (Insn.off(w) != 0) return notSupported(code) + ": sign-extending move (cpu v4)"; }
                    case BPF_END -> {
                        if (wide) return notSupported(code) + ": unconditional byte swap (cpu v4)";
                        if (!x) return notSupported(code) + ": conversion to little endian";
                    }
                    case BPF_LSH, BPF_RSH, BPF_ARSH -> {
                        if (!x && (Insn.imm(w) < 0 || Insn.imm(w) >= (wide ? 64 : 32))) return "shift by " + Insn.imm(w) + " is out of range";
                    }
                    default -> { }
                }
                if (bpfSrc(code) == BPF_X && Insn.src(w) == BPF_REG_FP && !(wide && op == BPF_MOV)) {
                    return "frame pointer used as an operand of " + aluName(op) + ": only 'rX = r10' is supported";
                }
                return null;
            }
            case BPF_LD -> {
                int mode = bpfMode(code);
                if (mode == BPF_ABS || mode == BPF_IND) {
                    if (bpfSize(code) == BPF_DW) return notSupported(code);
                    return null;
                }
                if (!isLdImm64(code)) return notSupported(code);
                int src = Insn.src(w);
                if (src == BPF_PSEUDO_MAP_IDX) {
                    if (Insn.imm(w) < 0 || Insn.imm(w) > 0xffff) return "map index " + Insn.imm(w) + " does not fit a 16-bit immediate";
                    return null;
                }
                if (src == BPF_PSEUDO_MAP_IDX_VALUE) return "direct map value access (global data) not supported by nfp";
                if (src == BPF_PSEUDO_FUNC) return "sub-program address (callback) not supported by nfp";
                if (src != 0) return "lddw with pseudo source " + src + " must be resolved before code generation";
                return null;
            }
            case BPF_LDX -> {
                if (bpfMode(code) != BPF_MEM) return notSupported(code) + ": sign-extending load (cpu v4)";
                return checkPtr(pc, w, Insn.src(w), true);
            }
            case BPF_ST, BPF_STX -> {
                int mode = bpfMode(code);
                if (mode == BPF_ATOMIC) {
                    if (cls != BPF_STX || Insn.imm(w) != BPF_ADD || (bpfSize(code) != BPF_W && bpfSize(code) != BPF_DW)) {
                        return notSupported(code) + ": only atomic add without fetch";
                    }
                    Val base = ptr.reg(pc, Insn.dst(w));
                    if (base.kind() != Kind.MAP_VALUE) return "atomic add not to a map value pointer: " + describe(base);
                    return null;
                }
                if (mode != BPF_MEM) return notSupported(code);
                if (cls == BPF_STX && Insn.src(w) == BPF_REG_FP) return "frame pointer stored to memory";
                Val base = ptr.reg(pc, Insn.dst(w));
                if (base.kind() == Kind.CTX) {
                    if (type == ProgramType.XDP && cls == BPF_STX && Insn.off(w) == PtrTypes.XDP_RX_QUEUE_INDEX && bpfSize(code) == BPF_W) return null;
                    return "unsupported store to context field";
                }
                String why = checkPtr(pc, w, Insn.dst(w), false);
                if (why != null) return why;
                if (cls == BPF_ST && base.kind() != Kind.PACKET) return "store of an immediate to " + describe(base) + " not supported by nfp (only to packet data)";
                return null;
            }
            case BPF_JMP, BPF_JMP32 -> {
                if (op == BPF_CALL) {
                    int src = Insn.src(w);
                    if (src == BPF_PSEUDO_CALL) return "BPF-to-BPF calls not supported by this nfp back-end";
                    if (src == BPF_PSEUDO_KFUNC_CALL) return "kfunc calls not supported by nfp";
                    return checkHelper(pc, Insn.imm(w));
                }
                if (op == BPF_EXIT) return checkExit(pc);
                if (cls == BPF_JMP32 && op == BPF_JA) return notSupported(code) + ": gotol (cpu v4)";
                if (op != BPF_JA && Insn.dst(w) == BPF_REG_FP || bpfSrc(code) == BPF_X && Insn.src(w) == BPF_REG_FP) {
                    return "frame pointer compared in a jump";
                }
                return null;
            }
            default -> { return notSupported(code); }
        }
    }

    private static String aluName(int op) {
        return switch (op) {
            case BPF_ADD -> "add"; case BPF_SUB -> "sub"; case BPF_OR -> "or"; case BPF_AND -> "and";
            case BPF_XOR -> "xor"; case BPF_MUL -> "mul"; default -> "op 0x" + Integer.toHexString(op);
        };
    }

    private static String describe(Val v) {
        return switch (v.kind()) {
            case NOT_INIT -> "an uninitialised register";
            case SCALAR -> "a scalar";
            case CTX -> "the context";
            case STACK -> "the stack";
            case PACKET -> "packet data";
            case PACKET_END -> "the packet end";
            case MAP_VALUE -> "a map value";
            case MAP_PTR -> "a map pointer";
            case MIXED -> "pointers of different types on different paths";
        };
    }

    /** nfp_bpf_check_ptr and the translator's own limits for one load or store base. */
    private String checkPtr(int pc, long w, int reg, boolean load) {
        Val base = ptr.reg(pc, reg);
        int size = sizeBytes(bpfSize(Insn.code(w)));
        switch (base.kind()) {
            case MIXED -> { return "ptr type changed for instruction: the base register holds " + describe(base); }
            case CTX -> {
                if (!load) return "unsupported store to context field";
                if (base.val() == null || base.val() != 0) return "dereference of modified ctx ptr";
                int off = Insn.off(w);
                boolean ok = type == ProgramType.XDP ? off == PtrTypes.XDP_DATA || off == PtrTypes.XDP_DATA_END
                        : off == PtrTypes.SKB_LEN || off == PtrTypes.SKB_DATA || off == PtrTypes.SKB_DATA_END;
                if (!ok || size != 4) return "unsupported context access at offset " + off + " size " + size;
                return null;
            }
            case STACK -> {
                if (base.val() == null) return "variable ptr stack access";
                long off = stackDepth + base.val() + Insn.off(w);
                if (off < 0 || off + size > stackDepth) return "stack access at " + (base.val() + Insn.off(w)) + " outside the " + stackDepth + "-byte frame";
                return null;
            }
            case PACKET -> { return null; }
            case MAP_VALUE -> { return load ? null : "map writes not supported"; }
            default -> { return "unsupported ptr type: " + describe(base); }
        }
    }

    /** nfp_bpf_check_helper_call. */
    private String checkHelper(int pc, int func) {
        switch (func) {
            case FUNC_xdp_adjust_head, FUNC_xdp_adjust_tail -> {
                if (type != ProgramType.XDP) return "unsupported function id: " + func;
                return null;
            }
            case FUNC_map_lookup_elem, FUNC_map_update_elem, FUNC_map_delete_elem -> {
                String fname = func == FUNC_map_lookup_elem ? "map_lookup" : func == FUNC_map_update_elem ? "map_update" : "map_delete";
                Val r1 = ptr.reg(pc, 1);
                if (r1.kind() != Kind.MAP_PTR || r1.val() == null) return fname + ": not called with a map pointer";
                String why = stackArg(fname, ptr.reg(pc, 2));
                if (why == null && func == FUNC_map_update_elem) why = stackArg(fname, ptr.reg(pc, 3));
                return why;
            }
            case FUNC_get_prandom_u32 -> { return null; }
            case FUNC_perf_event_output -> {
                Val flags = ptr.reg(pc, 3);
                if (!flags.isConst() || (flags.val() & BPF_F_CURRENT_CPU) != BPF_F_CURRENT_CPU) {
                    return "event_output: must use BPF_F_CURRENT_CPU, flags: " + (flags.isConst() ? "0x" + Long.toHexString(flags.val()) : "not constant");
                }
                Val data = ptr.reg(pc, 4);
                if (data.kind() != Kind.STACK && data.kind() != Kind.MAP_VALUE && data.kind() != Kind.PACKET) {
                    return "event_output: unsupported ptr type " + describe(data);
                }
                if (data.kind() == Kind.STACK) return stackArg("event_output", data);
                return null;
            }
            default -> { return "unsupported function id: " + func; }
        }
    }

    /** nfp_bpf_stack_arg_ok. */
    private static String stackArg(String fname, Val reg) {
        if (reg.kind() != Kind.STACK) return fname + ": unsupported ptr type " + describe(reg);
        if (reg.val() == null) return fname + ": variable pointer";
        if (-reg.val() % 4 != 0) return fname + ": unaligned stack pointer " + -reg.val();
        return null;
    }

    /** nfp_bpf_check_exit: tc programs must return a known action the firmware can report. */
    private String checkExit(int pc) {
        if (type == ProgramType.XDP) return null;
        Val r0 = ptr.reg(pc, 0);
        if (!r0.isConst()) return "unsupported exit state: r0 is " + describe(r0) + " of unknown value";
        long v = r0.val();
        if (v <= 7 && v != 2 && v != 4 && v != 5) return "unsupported exit state: tc action " + v + " (only TC_ACT_SHOT, TC_ACT_STOLEN, TC_ACT_QUEUED and codes above 7)";
        return null;
    }

    // ======================= emitters =======================

    private void emit(long word) {
        if (len == out.length) out = Arrays.copyOf(out, len * 2);
        out[len++] = word;
    }

    private int cur() {
        return len;
    }

    long[] words() {
        return Arrays.copyOf(out, len);
    }

    private void emitBrRelo(BrMask mask, int addr, int defer, Relo relo) {
        emit(withRelo(br(mask, addr, defer), relo));
    }

    private void emitBr(BrMask mask, int addr, int defer) {
        emitBrRelo(mask, addr, defer, Relo.BR_REL);
    }

    private void emitAlu(NfpReg dst, NfpReg l, AluOp op, NfpReg r) {
        emit(alu(dst, l, op, r));
    }

    private void emitShf(NfpReg dst, NfpReg l, ShfOp op, NfpReg r, ShfSc sc, int shift) {
        emit(shf(dst, l, op, r, sc, shift));
    }

    private void emitShfIndir(NfpReg dst, NfpReg l, ShfOp op, NfpReg r, ShfSc sc) {
        emit(shfIndirect(dst, l, op, r, sc));
    }

    private void emitLdField(NfpReg dst, int mask, NfpReg src, ShfSc sc, int shift, boolean zero) {
        emit(ldField(dst, mask, src, sc, shift, zero));
    }

    private void emitImmed(NfpReg dst, int imm, ImmedWidth w, boolean inv, ImmedShift s) {
        emit(immed(dst, imm, w, inv, s));
    }

    /** pack_immed: a 32-bit value as one 16-bit immediate shifted 0, 1 or 2 bytes, or null. */
    private static int[] packImmed(int v) {
        if ((v & 0xffff0000) == 0) return new int[] {v, 0};
        if ((v & 0xff0000ff) == 0) return new int[] {v >>> 8, 1};
        if ((v & 0x0000ffff) == 0) return new int[] {v >>> 16, 2};
        return null;
    }

    /** wrp_immed: one instruction when the value or its inverse packs, else two. */
    private void wrpImmed(NfpReg dst, int v) {
        int[] p = packImmed(v);
        if (p != null) {
            emitImmed(dst, p[0], ImmedWidth.ALL, false, ImmedShift.values()[p[1]]);
        } else if ((p = packImmed(~v)) != null) {
            emitImmed(dst, p[0], ImmedWidth.ALL, true, ImmedShift.values()[p[1]]);
        } else {
            emitImmed(dst, v & 0xffff, ImmedWidth.ALL, false, ImmedShift.B0);
            emitImmed(dst, v >>> 16, ImmedWidth.WORD, false, ImmedShift.B2);
        }
    }

    private void wrpImmedRelo(NfpReg dst, int v, Relo relo) {
        emit(withRelo(immed(dst, v, ImmedWidth.ALL, false, ImmedShift.B0), relo));
    }

    /** ur_load_imm_any: small values inline, others through {@code tmp}. */
    private NfpReg urLoadImmAny(int v, NfpReg tmp) {
        if ((v & ~UR_REG_IMM_MAX) == 0) return imm(v);
        wrpImmed(tmp, v);
        return tmp;
    }

    /** re_load_imm_any: the same for restricted operands (7 bits). */
    private NfpReg reLoadImmAny(int v, NfpReg tmp) {
        if ((v & ~RE_REG_IMM_MAX) == 0) return imm(v);
        wrpImmed(tmp, v);
        return tmp;
    }

    private void wrpNops(int n) {
        for (int i = 0; i < n; i++) emit(nop());
    }

    private void wrpMov(NfpReg dst, NfpReg src) {
        emitAlu(dst, none(), AluOp.NONE, src);
    }

    private void wrpRegMov(int dst, int src) {
        wrpMov(both(dst), b(src));
    }

    private void zextHi(int gpr) {
        wrpImmed(both(gpr + 1), 0);
    }

    // ======================= translation =======================

    /** nfp_translate: intro, every instruction, outro, prefetch nops, branch fix-up. */
    void translate() {
        // nfp_intro: the packet length is the low 14 bits of the packet vector's length word
        wrpImmed(PLEN, 0x3fff);
        emitAlu(PLEN, PLEN, AluOp.AND, PV_LEN);
        for (int pc = 0; pc < insns.length; pc++) {
            insnOff[pc] = cur();
            long w = insns[pc];
            if (ptr.in[pc] != null) insn(pc, w);
            if (isLdImm64(Insn.code(w))) insnOff[++pc] = cur();
        }
        insnOff[insns.length] = cur();
        if (type == ProgramType.SCHED_CLS) outroTcDa();
        else outroXdp();
        wrpNops(NFP_USTORE_PREFETCH_WINDOW);
        fixupBranches();
        if (len > CODE_STORE_WORDS) {
            throw new IllegalStateException("instruction limit reached (" + len + " NFP instructions, the code store holds " + CODE_STORE_WORDS + ")");
        }
    }

    /** nfp_fixup_branches: a jump's branches get the word address of its target's code. */
    private void fixupBranches() {
        for (int pc = 0; pc < insns.length; pc++) {
            long w = insns[pc];
            int code = Insn.code(w), cls = bpfClass(code), op = bpfOp(code);
            if (isLdImm64(code)) {
                pc++;
                continue;
            }
            if (cls != BPF_JMP && cls != BPF_JMP32 || op == BPF_CALL || op == BPF_EXIT) continue;
            int end = insnOff[pc + 1];
            if (end == insnOff[pc]) continue; // unreachable, or a jset with mask 0 that never jumps
            if (!isBr(out[end - 1])) throw new IllegalStateException("fixup found block not ending in branch at insn " + pc);
            int target = pc + 1 + Insn.off(w);
            for (int i = insnOff[pc]; i < end; i++) {
                if (isBr(out[i]) && relo(out[i]) == Relo.BR_REL) {
                    out[i] = withRelo(brSetOffset(out[i] & ~OP_RELO_TYPE, insnOff[target]), Relo.BR_REL);
                }
            }
        }
    }

    private void insn(int pc, long w) {
        int code = Insn.code(w), cls = bpfClass(code), op = bpfOp(code);
        int dst = Insn.dst(w) * 2, src = Insn.src(w) * 2, immv = Insn.imm(w);
        boolean x = bpfSrc(code) == BPF_X;
        switch (cls) {
            case BPF_ALU64 -> alu64(pc, op, x, dst, src, immv);
            case BPF_ALU -> alu32(op, x, dst, src, immv);
            case BPF_JMP, BPF_JMP32 -> jump(pc, w, cls == BPF_JMP32, op, x, dst, src, immv);
            case BPF_LD -> {
                if (isLdImm64(code)) ldImm64(w, insns[pc + 1]);
                else if (bpfMode(code) == BPF_ABS) constructDataLd(immv, sizeBytes(bpfSize(code)));
                else constructDataIndLd(immv, src, sizeBytes(bpfSize(code)));
            }
            case BPF_LDX -> memLdx(pc, w, sizeBytes(bpfSize(code)));
            case BPF_STX -> {
                if (bpfMode(code) == BPF_ATOMIC) memXadd(w, bpfSize(code) == BPF_DW);
                else memStx(pc, w, sizeBytes(bpfSize(code)));
            }
            case BPF_ST -> memSt(w, sizeBytes(bpfSize(code)));
            default -> throw new IllegalStateException("insn " + pc + ": " + notSupported(code));
        }
    }

    // ---- ALU ----

    /** wrp_alu_imm: one 32-bit half with an immediate, with the kernel's shortcuts. */
    private void wrpAluImm(int dst, AluOp op, int v) {
        if (op == AluOp.AND) {
            if (v == 0) wrpImmed(both(dst), 0);
            if (v == 0 || v == -1) return;
        }
        if (op == AluOp.OR) {
            if (v == -1) wrpImmed(both(dst), -1);
            if (v == 0 || v == -1) return;
        }
        if (op == AluOp.XOR) {
            if (v == -1) emitAlu(both(dst), none(), AluOp.NOT, b(dst));
            if (v == 0 || v == -1) return;
        }
        NfpReg tmp = urLoadImmAny(v, IMM_B);
        emitAlu(both(dst), a(dst), op, tmp);
    }

    private static AluOp aluOp(int op) {
        return switch (op) {
            case BPF_ADD -> AluOp.ADD;
            case BPF_SUB -> AluOp.SUB;
            case BPF_AND -> AluOp.AND;
            case BPF_OR -> AluOp.OR;
            case BPF_XOR -> AluOp.XOR;
            default -> null;
        };
    }

    private void alu64(int pc, int op, boolean x, int dst, int src, int immv) {
        long imm64 = immv; // sign extended
        switch (op) {
            case BPF_MOV -> {
                if (x && src == BPF_REG_FP * 2) {
                    // mov_reg64 from the frame pointer: the stack base in local memory plus the frame size
                    NfpReg depth = urLoadImmAny(stackDepth, IMM_B);
                    emitAlu(both(dst), STACK_REG, AluOp.ADD, depth);
                    zextHi(dst);
                } else if (x) {
                    wrpRegMov(dst, src);
                    wrpRegMov(dst + 1, src + 1);
                } else {
                    wrpImmed(both(dst), (int) imm64);
                    wrpImmed(both(dst + 1), (int) (imm64 >> 32));
                }
            }
            case BPF_AND, BPF_OR, BPF_XOR -> {
                AluOp a = aluOp(op);
                if (x) {
                    emitAlu(both(dst), a(dst), a, b(src));
                    emitAlu(both(dst + 1), a(dst + 1), a, b(src + 1));
                } else {
                    wrpAluImm(dst, a, (int) imm64);
                    wrpAluImm(dst + 1, a, (int) (imm64 >> 32));
                }
            }
            case BPF_ADD, BPF_SUB -> {
                AluOp lo = op == BPF_ADD ? AluOp.ADD : AluOp.SUB, hi = op == BPF_ADD ? AluOp.ADD_C : AluOp.SUB_C;
                if (x) {
                    emitAlu(both(dst), a(dst), lo, b(src));
                    emitAlu(both(dst + 1), a(dst + 1), hi, b(src + 1));
                } else {
                    wrpAluImm(dst, lo, (int) imm64);
                    wrpAluImm(dst + 1, hi, (int) (imm64 >> 32));
                }
            }
            case BPF_NEG -> {
                emitAlu(both(dst), imm(0), AluOp.SUB, b(dst));
                emitAlu(both(dst + 1), imm(0), AluOp.SUB_C, b(dst + 1));
            }
            case BPF_MUL -> {
                // both operands below 2^32 (checked): the full 64-bit product
                NfpReg multiplier = x ? b(src) : urLoadImmAny(immv, IMM_B);
                mulSteps(a(dst), multiplier);
                emit(mul(both(dst), MulType.STEP_32x32, MulStep.LAST, none()));
                emit(mul(both(dst + 1), MulType.STEP_32x32, MulStep.LAST_2, none()));
            }
            case BPF_DIV -> divImm(dst, immv); // the dividend's high word is 0 (checked), and stays so
            case BPF_LSH -> { if (x) shlReg64(dst, src); else shlImm64(dst, immv); }
            case BPF_RSH -> { if (x) shrReg64(dst, src); else shrImm64(dst, immv); }
            case BPF_ARSH -> { if (x) ashrReg64(dst, src); else ashrImm64(dst, immv); }
            default -> throw new IllegalStateException("insn " + pc + ": 64-bit ALU op 0x" + Integer.toHexString(op) + " passed the checks");
        }
    }

    private void alu32(int op, boolean x, int dst, int src, int immv) {
        switch (op) {
            case BPF_MOV -> {
                if (x) wrpRegMov(dst, src);
                else wrpImmed(both(dst), immv);
            }
            case BPF_AND, BPF_OR, BPF_XOR, BPF_ADD, BPF_SUB -> {
                if (x) emitAlu(both(dst), a(dst), aluOp(op), b(src));
                else wrpAluImm(dst, aluOp(op), immv);
            }
            case BPF_NEG -> emitAlu(both(dst), imm(0), AluOp.SUB, b(dst));
            case BPF_LSH -> {
                if (x) {
                    emitAlu(none(), a(src), AluOp.OR, imm(0));
                    emitShfIndir(both(dst), none(), ShfOp.NONE, b(dst), ShfSc.L_SHF);
                } else if (immv != 0) {
                    emitShf(both(dst), none(), ShfOp.NONE, b(dst), ShfSc.L_SHF, immv);
                }
            }
            case BPF_RSH -> {
                if (x) {
                    emitAlu(none(), a(src), AluOp.OR, imm(0));
                    emitShfIndir(both(dst), none(), ShfOp.NONE, b(dst), ShfSc.R_SHF);
                } else if (immv != 0) {
                    emitShf(both(dst), none(), ShfOp.NONE, b(dst), ShfSc.R_SHF, immv);
                }
            }
            case BPF_ARSH -> {
                if (x) {
                    // the OR sets both the indirect amount (A) and the sign (the result's MSB)
                    emitAlu(none(), a(src), AluOp.OR, b(dst));
                    emitShfIndir(both(dst), none(), ShfOp.ASHR, b(dst), ShfSc.R_SHF);
                } else if (immv != 0) {
                    emitAlu(none(), a(dst), AluOp.OR, imm(0));
                    emitShf(both(dst), none(), ShfOp.ASHR, b(dst), ShfSc.R_SHF, immv);
                }
            }
            case BPF_MUL -> {
                NfpReg multiplier = x ? b(src) : urLoadImmAny(immv, IMM_B);
                wrpMulU32(both(dst), a(dst), multiplier);
            }
            case BPF_END -> endReg32(dst, immv);
            case BPF_DIV -> divImm(dst, immv);
            default -> throw new IllegalStateException("32-bit ALU op 0x" + Integer.toHexString(op) + " passed the checks");
        }
        if (op != BPF_END || immv != 64) zextHi(dst);
    }

    /** wrp_mul_u32 without the high half (32-bit multiplication keeps the low word). */
    private void wrpMulU32(NfpReg dstLo, NfpReg lreg, NfpReg rreg) {
        mulSteps(lreg, rreg);
        emit(mul(dstLo, MulType.STEP_32x32, MulStep.LAST, none()));
    }

    /** The start and four steps of a 32x32 multiplication. */
    private void mulSteps(NfpReg lreg, NfpReg rreg) {
        emit(mul(lreg, MulType.START, MulStep.NONE, rreg));
        emit(mul(lreg, MulType.STEP_32x32, MulStep.STEP_1, rreg));
        emit(mul(lreg, MulType.STEP_32x32, MulStep.STEP_2, rreg));
        emit(mul(lreg, MulType.STEP_32x32, MulStep.STEP_3, rreg));
        emit(mul(lreg, MulType.STEP_32x32, MulStep.STEP_4, rreg));
    }

    /** The high word of a 32x32 product (wrp_mul_u32 with gen_high_half, the low word dropped). */
    private void wrpMulHi(NfpReg dstHi, NfpReg lreg, NfpReg rreg) {
        mulSteps(lreg, rreg);
        emit(mul(none(), MulType.STEP_32x32, MulStep.LAST, none()));
        emit(mul(dstHi, MulType.STEP_32x32, MulStep.LAST_2, none()));
    }

    /** The kernel's {@code struct reciprocal_value_adv}: multiplier, post shift, ceil(log2(d)), and a 33-bit multiplier. */
    record Reciprocal(long m, int sh, int exp, boolean wideM) {}

    /** reciprocal_value_adv (lib/math/reciprocal_div.c) for a divisor 1 <= d < 2^31 and precision {@code prec} bits. */
    static Reciprocal reciprocalValueAdv(long d, int prec) {
        int l = 64 - Long.numberOfLeadingZeros(d - 1); // fls(d - 1)
        int postShift = l;
        long mlow = Long.divideUnsigned(1L << (32 + l), d);
        long mhigh = Long.divideUnsigned((1L << (32 + l)) + (1L << (32 + l - prec)), d);
        for (; postShift > 0; postShift--) {
            long lo = mlow >>> 1, hi = mhigh >>> 1;
            if (Long.compareUnsigned(lo, hi) >= 0) break;
            mlow = lo;
            mhigh = hi;
        }
        return new Reciprocal(mhigh & 0xffffffffL, postShift, l, Long.compareUnsigned(mhigh, 0xffffffffL) > 0);
    }

    /**
     * wrp_div_imm for a 32-bit dividend and a constant divisor 1 <= d < 2^31: a power of two is a
     * shift, anything else the high word of a multiplication by the reciprocal, shifted (with
     * the kernel's fix-up when the reciprocal needs 33 bits). Shifts by 0 are left out: an
     * alu_shf with amount 0 is the indirect form.
     */
    private void divImm(int dst, int divisor) {
        long d = divisor & 0xffffffffL;
        Reciprocal r = reciprocalValueAdv(d, 32);
        int exp = r.exp();
        int preShift = 0;
        if (r.wideM() && (d & 1) == 0) {
            preShift = Long.numberOfTrailingZeros(d);
            r = reciprocalValueAdv(d >>> preShift, 32 - preShift);
        }
        if (d == 1L << exp) {
            if (exp != 0) emitShf(both(dst), none(), ShfOp.NONE, b(dst), ShfSc.R_SHF, exp);
            return;
        }
        NfpReg magic = urLoadImmAny((int) r.m(), IMM_B);
        if (r.wideM()) {
            wrpMulHi(IMM_BOTH, a(dst), magic);
            emitAlu(both(dst), a(dst), AluOp.SUB, IMM_B);
            emitShf(both(dst), none(), ShfOp.NONE, b(dst), ShfSc.R_SHF, 1);
            emitAlu(both(dst), a(dst), AluOp.ADD, IMM_B);
            if (r.sh() > 1) emitShf(both(dst), none(), ShfOp.NONE, b(dst), ShfSc.R_SHF, r.sh() - 1);
        } else {
            if (preShift != 0) emitShf(both(dst), none(), ShfOp.NONE, b(dst), ShfSc.R_SHF, preShift);
            wrpMulHi(both(dst), a(dst), magic);
            if (r.sh() != 0) emitShf(both(dst), none(), ShfOp.NONE, b(dst), ShfSc.R_SHF, r.sh());
        }
    }

    private void wrpEnd32(NfpReg in, int gprOut) {
        emitLdField(both(gprOut), 0xf, in, ShfSc.R_ROT, 8, false);
        emitLdField(both(gprOut), 0x5, a(gprOut), ShfSc.R_ROT, 16, false);
    }

    /** end_reg32: to big endian (the NFP runs BPF as a little-endian machine). */
    private void endReg32(int gpr, int bits) {
        switch (bits) {
            case 16 -> {
                emitLdField(both(gpr), 0x9, b(gpr), ShfSc.R_ROT, 8, false);
                emitLdField(both(gpr), 0xe, a(gpr), ShfSc.R_SHF, 16, false);
            }
            case 32 -> wrpEnd32(a(gpr), gpr);
            case 64 -> {
                wrpMov(IMM_A, b(gpr + 1));
                wrpEnd32(a(gpr), gpr + 1);
                wrpEnd32(IMM_A, gpr);
            }
            default -> throw new IllegalStateException("byte swap of " + bits + " bits");
        }
    }

    private void shlImm64(int dst, int n) {
        if (n == 0) return;
        if (n < 32) {
            emitShf(both(dst + 1), a(dst + 1), ShfOp.NONE, b(dst), ShfSc.R_DSHF, 32 - n);
            emitShf(both(dst), none(), ShfOp.NONE, b(dst), ShfSc.L_SHF, n);
        } else if (n == 32) {
            wrpRegMov(dst + 1, dst);
            wrpImmed(both(dst), 0);
        } else {
            emitShf(both(dst + 1), none(), ShfOp.NONE, b(dst), ShfSc.L_SHF, n - 32);
            wrpImmed(both(dst), 0);
        }
    }

    private void shrImm64(int dst, int n) {
        if (n == 0) return;
        if (n < 32) {
            emitShf(both(dst), a(dst + 1), ShfOp.NONE, b(dst), ShfSc.R_DSHF, n);
            emitShf(both(dst + 1), none(), ShfOp.NONE, b(dst + 1), ShfSc.R_SHF, n);
        } else if (n == 32) {
            wrpRegMov(dst, dst + 1);
            wrpImmed(both(dst + 1), 0);
        } else {
            emitShf(both(dst), none(), ShfOp.NONE, b(dst + 1), ShfSc.R_SHF, n - 32);
            wrpImmed(both(dst + 1), 0);
        }
    }

    private void ashrImm64(int dst, int n) {
        if (n == 0) return;
        if (n < 32) {
            emitShf(both(dst), a(dst + 1), ShfOp.NONE, b(dst), ShfSc.R_DSHF, n);
            emitAlu(none(), a(dst + 1), AluOp.OR, imm(0)); // sign for ASHR
            emitShf(both(dst + 1), none(), ShfOp.ASHR, b(dst + 1), ShfSc.R_SHF, n);
        } else if (n == 32) {
            wrpRegMov(dst, dst + 1); // also sets the sign
            emitShf(both(dst + 1), none(), ShfOp.ASHR, b(dst + 1), ShfSc.R_SHF, 31);
        } else {
            emitAlu(none(), a(dst + 1), AluOp.OR, imm(0));
            emitShf(both(dst), none(), ShfOp.ASHR, b(dst + 1), ShfSc.R_SHF, n - 32);
            emitShf(both(dst + 1), none(), ShfOp.ASHR, b(dst + 1), ShfSc.R_SHF, 31);
        }
    }

    private void shlReg64Lt32High(int dst, int src) {
        emitAlu(IMM_BOTH, imm(32), AluOp.SUB, b(src));
        emitAlu(none(), IMM_A, AluOp.OR, imm(0));
        emitShfIndir(both(dst + 1), a(dst + 1), ShfOp.NONE, b(dst), ShfSc.R_DSHF);
    }

    private void shlReg64Lt32Low(int dst, int src) {
        emitAlu(none(), a(src), AluOp.OR, imm(0));
        emitShfIndir(both(dst), none(), ShfOp.NONE, b(dst), ShfSc.L_SHF);
    }

    private void shlReg64Ge32(int dst, int src) {
        emitAlu(none(), a(src), AluOp.OR, imm(0));
        emitShfIndir(both(dst + 1), none(), ShfOp.NONE, b(dst), ShfSc.L_SHF);
        wrpImmed(both(dst), 0);
    }

    /** shl_reg64 with the amount unknown: bit 5 of the amount picks the sequence at run time. */
    private void shlReg64(int dst, int src) {
        int ge32 = cur() + 7;
        emit(withRelo(brBit(a(src), 5, ge32, 0, true), Relo.BR_REL));
        shlReg64Lt32High(dst, src);
        int end = cur() + 6;
        emitBr(BrMask.UNC, end, 2);
        shlReg64Lt32Low(dst, src); // in the delay slots
        confirm(ge32);
        shlReg64Ge32(dst, src);
        confirm(end);
    }

    private void shrReg64Lt32High(int dst, int src) {
        emitAlu(none(), a(src), AluOp.OR, imm(0));
        emitShfIndir(both(dst + 1), none(), ShfOp.NONE, b(dst + 1), ShfSc.R_SHF);
    }

    private void shrReg64Lt32Low(int dst, int src) {
        emitAlu(none(), a(src), AluOp.OR, imm(0));
        emitShfIndir(both(dst), a(dst + 1), ShfOp.NONE, b(dst), ShfSc.R_DSHF);
    }

    private void shrReg64Ge32(int dst, int src) {
        emitAlu(none(), a(src), AluOp.OR, imm(0));
        emitShfIndir(both(dst), none(), ShfOp.NONE, b(dst + 1), ShfSc.R_SHF);
        wrpImmed(both(dst + 1), 0);
    }

    private void shrReg64(int dst, int src) {
        int ge32 = cur() + 6;
        emit(withRelo(brBit(a(src), 5, ge32, 0, true), Relo.BR_REL));
        shrReg64Lt32Low(dst, src);
        int end = cur() + 6;
        emitBr(BrMask.UNC, end, 2);
        shrReg64Lt32High(dst, src);
        confirm(ge32);
        shrReg64Ge32(dst, src);
        confirm(end);
    }

    private void ashrReg64Lt32High(int dst, int src) {
        emitAlu(none(), a(src), AluOp.OR, b(dst + 1));
        emitShfIndir(both(dst + 1), none(), ShfOp.ASHR, b(dst + 1), ShfSc.R_SHF);
    }

    private void ashrReg64Ge32(int dst, int src) {
        emitAlu(none(), a(src), AluOp.OR, b(dst + 1));
        emitShfIndir(both(dst), none(), ShfOp.ASHR, b(dst + 1), ShfSc.R_SHF);
        emitShf(both(dst + 1), none(), ShfOp.ASHR, b(dst + 1), ShfSc.R_SHF, 31);
    }

    private void ashrReg64(int dst, int src) {
        int ge32 = cur() + 6;
        emit(withRelo(brBit(a(src), 5, ge32, 0, true), Relo.BR_REL));
        shrReg64Lt32Low(dst, src); // the low word needs no sign
        int end = cur() + 6;
        emitBr(BrMask.UNC, end, 2);
        ashrReg64Lt32High(dst, src);
        confirm(ge32);
        ashrReg64Ge32(dst, src);
        confirm(end);
    }

    /** nfp_prog_confirm_current_offset: a precomputed branch target must be where the code is. */
    private void confirm(int expected) {
        if (cur() != expected) throw new IllegalStateException("translator bug: at word " + cur() + ", expected " + expected);
    }

    // ---- jumps ----

    /** jmp_code_map: condition and operand order of each ordered comparison. */
    private record JmpCode(BrMask mask, boolean swap) {}

    private static JmpCode jmpCode(int op) {
        return switch (op) {
            case BPF_JGT -> new JmpCode(BrMask.BLO, true);
            case BPF_JGE -> new JmpCode(BrMask.BHS, false);
            case BPF_JLT -> new JmpCode(BrMask.BLO, false);
            case BPF_JLE -> new JmpCode(BrMask.BHS, true);
            case BPF_JSGT -> new JmpCode(BrMask.BLT, true);
            case BPF_JSGE -> new JmpCode(BrMask.BGE, false);
            case BPF_JSLT -> new JmpCode(BrMask.BLT, false);
            case BPF_JSLE -> new JmpCode(BrMask.BGE, true);
            default -> null;
        };
    }

    private void jump(int pc, long w, boolean j32, int op, boolean x, int dst, int src, int immv) {
        long imm64 = immv;
        int lo = (int) imm64, hi = (int) (imm64 >> 32);
        // branch addresses are set by fixupBranches once every instruction has its place
        switch (op) {
            case BPF_JA -> emitBr(BrMask.UNC, 0, 0);
            case BPF_EXIT -> emitBrRelo(BrMask.UNC, BR_OFF_RELO, 0, Relo.BR_GO_OUT);
            case BPF_CALL -> call(pc, immv);
            case BPF_JEQ -> {
                if (x) {
                    if (j32) {
                        emitAlu(none(), a(dst), AluOp.XOR, b(src));
                    } else {
                        emitAlu(IMM_A, a(dst), AluOp.XOR, b(src));
                        emitAlu(IMM_B, a(dst + 1), AluOp.XOR, b(src + 1));
                        emitAlu(none(), IMM_A, AluOp.OR, IMM_B);
                    }
                } else if (j32) {
                    emitAlu(none(), a(dst), AluOp.XOR, urLoadImmAny(lo, IMM_B));
                } else {
                    NfpReg or1 = a(dst), or2 = b(dst + 1);
                    if (lo != 0) {
                        emitAlu(IMM_A, a(dst), AluOp.XOR, urLoadImmAny(lo, IMM_B));
                        or1 = IMM_A;
                    }
                    if (hi != 0) {
                        emitAlu(IMM_B, a(dst + 1), AluOp.XOR, urLoadImmAny(hi, IMM_B));
                        or2 = IMM_B;
                    }
                    emitAlu(none(), or1, AluOp.OR, or2);
                }
                emitBr(BrMask.BEQ, 0, 0);
            }
            case BPF_JNE, BPF_JSET -> {
                AluOp test = op == BPF_JNE ? AluOp.XOR : AluOp.AND;
                if (x) {
                    emitAlu(none(), a(dst), test, b(src));
                    emitBr(BrMask.BNE, 0, 0);
                    if (!j32) {
                        emitAlu(none(), a(dst + 1), test, b(src + 1));
                        emitBr(BrMask.BNE, 0, 0);
                    }
                } else if (op == BPF_JNE && !j32 && imm64 == 0) {
                    emitAlu(none(), a(dst), AluOp.OR, b(dst + 1));
                    emitBr(BrMask.BNE, 0, 0);
                } else {
                    // jset tests only the halves whose mask is not zero; jne compares both
                    if (op == BPF_JNE || lo != 0) {
                        emitAlu(none(), a(dst), test, urLoadImmAny(lo, IMM_B));
                        emitBr(BrMask.BNE, 0, 0);
                    }
                    if (!j32 && (op == BPF_JNE || hi != 0)) {
                        emitAlu(none(), a(dst + 1), test, urLoadImmAny(hi, IMM_B));
                        emitBr(BrMask.BNE, 0, 0);
                    }
                }
            }
            default -> {
                JmpCode jc = jmpCode(op);
                if (jc == null) throw new IllegalStateException("insn " + pc + ": jump op 0x" + Integer.toHexString(op));
                if (x) {
                    int l = jc.swap ? src : dst, r = jc.swap ? dst : src;
                    emitAlu(none(), a(l), AluOp.SUB, b(r));
                    if (!j32) emitAlu(none(), a(l + 1), AluOp.SUB_C, b(r + 1));
                } else {
                    NfpReg t = urLoadImmAny(lo, IMM_B);
                    if (!jc.swap) emitAlu(none(), a(dst), AluOp.SUB, t);
                    else emitAlu(none(), t, AluOp.SUB, a(dst));
                    if (!j32) {
                        t = urLoadImmAny(hi, IMM_B);
                        if (!jc.swap) emitAlu(none(), a(dst + 1), AluOp.SUB_C, t);
                        else emitAlu(none(), t, AluOp.SUB_C, a(dst + 1));
                    }
                }
                emitBr(jc.mask, 0, 0);
            }
        }
    }

    // ---- helper calls ----

    private void call(int pc, int func) {
        switch (func) {
            case FUNC_xdp_adjust_head -> adjustHead();
            case FUNC_xdp_adjust_tail -> adjustTail();
            case FUNC_map_lookup_elem, FUNC_map_update_elem, FUNC_map_delete_elem -> mapCallStackCommon(pc, func);
            case FUNC_get_prandom_u32 -> {
                emit(csrRd(NFP_CSR_PSEUDO_RND_NUM));
                // the CSR value arrives in the next immed
                emitImmed(both(0), 0, ImmedWidth.ALL, false, ImmedShift.B0);
                emitImmed(both(1), 0, ImmedWidth.ALL, false, ImmedShift.B0);
            }
            case FUNC_perf_event_output -> perfEventOutput(pc);
            default -> throw new IllegalStateException("insn " + pc + ": helper " + func + " passed the checks");
        }
    }

    /** bpf_xdp_adjust_head through the firmware's packet-offset limits (the kernel's general version). */
    private void adjustHead() {
        NfpReg tmp = IMM_A, tmpLen = IMM_B;
        int retEinval = cur() + 14, end = retEinval + 2;
        // the offset is the low 16 bits of the packet pointer
        emitAlu(tmp, a(2 * 2), AluOp.ADD_2B, PPTR);
        emitAlu(none(), tmp, AluOp.SUB, imm(NfpJitBackend.ADJUST_HEAD_OFF_MIN));
        emitBr(BrMask.BLO, retEinval, 0);
        emitAlu(none(), imm(NfpJitBackend.ADJUST_HEAD_OFF_MAX), AluOp.SUB, tmp);
        emitBr(BrMask.BLO, retEinval, 0);
        // the packet must keep at least an Ethernet header
        emitAlu(tmpLen, PLEN, AluOp.SUB, a(2 * 2));
        emitAlu(none(), tmpLen, AluOp.SUB, imm(ETH_HLEN));
        emitBr(BrMask.BMI, retEinval, 0);
        wrpImmed(both(0), 0);
        wrpImmed(both(1), 0);
        emitLdField(PPTR, 0x3, tmp, ShfSc.R_ROT, 0, false);
        emitBr(BrMask.UNC, end, 2);
        emitAlu(PLEN, PLEN, AluOp.SUB, a(2 * 2));
        emitAlu(PV_LEN, PV_LEN, AluOp.SUB, a(2 * 2));
        confirm(retEinval);
        wrpImmed(both(0), -22);
        wrpImmed(both(1), -1);
        confirm(end);
    }

    /** bpf_xdp_adjust_tail: only shrinking, and never below an Ethernet header. */
    private void adjustTail() {
        NfpReg plen = IMM_A, delta = a(2 * 2);
        int retEinval = cur() + 9, end = cur() + 11;
        emitAlu(plen, PLEN, AluOp.ADD, delta);
        // delta == 0 is refused by the kernel; the add must carry out to make the packet shorter
        emitBr(BrMask.BCC, retEinval, 0);
        emitAlu(none(), plen, AluOp.SUB, imm(ETH_HLEN));
        emitBr(BrMask.BMI, retEinval, 0);
        emitAlu(PLEN, PLEN, AluOp.ADD, delta);
        emitAlu(PV_LEN, PV_LEN, AluOp.ADD, delta);
        emitBr(BrMask.UNC, end, 2);
        wrpImmed(both(0), 0);
        wrpImmed(both(1), 0);
        confirm(retEinval);
        wrpImmed(both(0), -22);
        wrpImmed(both(1), -1);
        confirm(end);
    }

    /**
     * map_call_stack_common: the key (and value) on the stack are reached by the firmware through
     * LM index 0 (and 2); the map's table id goes in A0 and the return address in B0.
     */
    private void mapCallStackCommon(int pc, int func) {
        long lmOff = stackDepth + ptr.reg(pc, 2).val();
        boolean loadLmPtr = lmOff != 0;
        if (loadLmPtr) emit(csrWr(b(2 * 2), NFP_CSR_ACT_LM_ADDR0));
        if (func == FUNC_map_update_elem) emit(csrWr(b(3 * 2), NFP_CSR_ACT_LM_ADDR2));
        emitBrRelo(BrMask.UNC, BR_OFF_RELO + func, 2, Relo.BR_HELPER);
        int retTgt = cur() + 2;
        wrpMov(a(0), a(2));
        wrpImmedRelo(b(0), retTgt, Relo.IMMED_REL);
        confirm(retTgt);
        if (!loadLmPtr) return;
        emit(csrWr(STACK_REG, NFP_CSR_ACT_LM_ADDR0));
        wrpNops(3);
    }

    private void perfEventOutput(int pc) {
        int ptrType = switch (ptr.reg(pc, 4).kind()) {
            case STACK -> NFP_BPF_STACK;
            case MAP_VALUE -> NFP_BPF_MAP_VALUE;
            default -> NFP_BPF_PACKET_DATA;
        };
        NfpReg t = urLoadImmAny(ptrType, IMM_A);
        int retTgt = cur() + 3;
        emitBrRelo(BrMask.UNC, BR_OFF_RELO + FUNC_perf_event_output, 2, Relo.BR_HELPER);
        wrpMov(a(1), t);
        wrpImmedRelo(b(0), retTgt, Relo.IMMED_REL);
        confirm(retTgt);
    }

    // ---- loads and stores ----

    private void ldImm64(long w, long w2) {
        int dst = Insn.dst(w) * 2;
        if (Insn.src(w) == BPF_PSEUDO_MAP_IDX) {
            // the map's device table id, bound by link (the kernel writes it before translation)
            wrpImmedRelo(both(dst), Insn.imm(w), Relo.IMMED_ABS);
            wrpImmed(both(dst + 1), 0);
            return;
        }
        int lo = Insn.imm(w), hi = Insn.imm(w2);
        wrpImmed(both(dst), lo);
        if (hi == lo) wrpMov(both(dst + 1), a(dst)); // one instruction where an immed may take two
        else wrpImmed(both(dst + 1), hi);
    }

    /** data_ld: big-endian packet bytes into R0 (legacy loads), shifted down for sizes below 4. */
    private void dataLd(NfpReg offset, int dstGpr, int size) {
        int sz = Math.max(size, 4), shift = size < 4 ? 4 - size : 0;
        emit(cmd(CmdTgt.READ8, CmdMode.A32, 0, PPTR, offset, sz - 1, CmdCtx.SWAP, false));
        int i = 0;
        if (shift != 0) {
            emitShf(both(dstGpr), none(), ShfOp.NONE, xfer(0), ShfSc.R_SHF, shift * 8);
        } else {
            for (; i * 4 < size; i++) wrpMov(both(dstGpr + i), xfer(i));
        }
        if (i < 2) wrpImmed(both(dstGpr + 1), 0);
    }

    private void constructDataLd(int offset, int size) {
        NfpReg t = urLoadImmAny(offset + size, IMM_A);
        emitAlu(none(), PLEN, AluOp.SUB, t);
        emitBrRelo(BrMask.BLO, BR_OFF_RELO, 0, Relo.BR_GO_ABORT);
        dataLd(reLoadImmAny(offset, IMM_B), 0, size);
    }

    private void constructDataIndLd(int offset, int src, int size) {
        NfpReg t = urLoadImmAny(offset, IMM_B);
        emitAlu(IMM_BOTH, a(src), AluOp.ADD, t);
        emitAlu(IMM_A, IMM_A, AluOp.ADD, imm(size));
        emitAlu(none(), PLEN, AluOp.SUB, IMM_A);
        emitBrRelo(BrMask.BLO, BR_OFF_RELO, 0, Relo.BR_GO_ABORT);
        dataLd(IMM_B, 0, size);
    }

    /** data_ld_host_order: little-endian bytes through read32_swap, masked for sizes below 4. */
    private void dataLdHostOrder(int dstGpr, NfpReg lreg, NfpReg rreg, int size, CmdMode mode) {
        int sz = Math.max(size, 4), mask = size < 4 ? (1 << size) - 1 : 0;
        emit(cmd(CmdTgt.READ32_SWAP, mode, 0, lreg, rreg, sz / 4 - 1, CmdCtx.SWAP, false));
        int i = 0;
        if (mask != 0) {
            emitLdField(both(dstGpr), mask, xfer(0), ShfSc.R_ROT, 0, true);
        } else {
            for (; i * 4 < size; i++) wrpMov(both(dstGpr + i), xfer(i));
        }
        if (i < 2) wrpImmed(both(dstGpr + 1), 0);
    }

    private void memLdx(int pc, long w, int size) {
        int dst = Insn.dst(w) * 2, src = Insn.src(w) * 2, off = Insn.off(w);
        Val base = ptr.reg(pc, Insn.src(w));
        switch (base.kind()) {
            case CTX -> {
                NfpReg d = both(dst);
                boolean xdp = type == ProgramType.XDP;
                if (!xdp && off == PtrTypes.SKB_LEN) wrpMov(d, PLEN);
                else if (off == (xdp ? PtrTypes.XDP_DATA : PtrTypes.SKB_DATA)) wrpMov(d, PPTR);
                else emitAlu(d, PLEN, AluOp.ADD, PPTR);
                zextHi(dst);
            }
            case PACKET -> dataLdHostOrder(dst, a(src), reLoadImmAny(off, IMM_B), size, CmdMode.A32);
            case STACK -> memOpStack(off, size, base.val(), dst, true, true);
            case MAP_VALUE -> {
                NfpReg offset = reLoadImmAny(off, IMM_B);
                NfpReg rega, regb;
                if (offset.equals(imm(0))) {
                    rega = a(src);
                    regb = b(src + 1);
                } else {
                    // addr40_offset: the 40-bit address is the register pair plus the offset
                    emitAlu(IMM_A, a(src), AluOp.ADD, offset);
                    emitAlu(IMM_B, b(src + 1), AluOp.ADD_C, imm(0));
                    rega = IMM_A;
                    regb = IMM_B;
                }
                dataLdHostOrder(dst, rega, regb, size, CmdMode.A40_BA);
            }
            default -> throw new IllegalStateException("insn " + pc + ": load through " + base + " passed the checks");
        }
    }

    private void memStx(int pc, long w, int size) {
        int dst = Insn.dst(w) * 2, src = Insn.src(w) * 2, off = Insn.off(w);
        Val base = ptr.reg(pc, Insn.dst(w));
        switch (base.kind()) {
            case PACKET -> {
                NfpReg offset = reLoadImmAny(off, IMM_B);
                for (int i = 0; i * 4 < size; i++) wrpMov(xfer(i), a(src + i));
                emit(cmd(CmdTgt.WRITE8_SWAP, CmdMode.A32, 0, a(dst), offset, size - 1, CmdCtx.SWAP, false));
            }
            case STACK -> memOpStack(off, size, base.val(), src, false, false);
            case CTX -> queueSelect(src);
            default -> throw new IllegalStateException("insn " + pc + ": store through " + base + " passed the checks");
        }
    }

    private void memSt(long w, int size) {
        int dst = Insn.dst(w) * 2;
        NfpReg offset = reLoadImmAny(Insn.off(w), IMM_B);
        long immv = Insn.imm(w);
        wrpImmed(xfer(0), (int) immv);
        if (size == 8) wrpImmed(xfer(1), (int) (immv >> 32));
        emit(cmd(CmdTgt.WRITE8_SWAP, CmdMode.A32, 0, a(dst), offset, size - 1, CmdCtx.SWAP, false));
    }

    /** nfp_queue_select: a queue id that fits the firmware field is written to the packet vector, else RXR_MAX. */
    private void queueSelect(int src) {
        int jmpTgt = cur() + 5;
        emitAlu(none(), a(src), AluOp.AND_NOT_B, imm(0xff));
        emitBr(BrMask.BEQ, jmpTgt, 2);
        emitShf(QSEL_SET, QSEL_SET, ShfOp.OR, imm(1), ShfSc.L_SHF, PKT_VEL_QSEL_SET_BIT);
        emitLdField(QSEL_VAL, 0x1, b(src), ShfSc.R_ROT, 0, false);
        // the delay slots end here: a queue id that fits jumps over the next instruction
        emitLdField(QSEL_VAL, 0x1, imm(NFP_NET_RXR_MAX), ShfSc.R_ROT, 0, false);
        confirm(jmpTgt);
    }

    /**
     * mem_xadd: atomic add to a map value. Whether the addend fits the command's 16-bit
     * immediate is only known at run time here (the kernel knows it from the verifier when it
     * can), so both forms are generated and the value picks one.
     */
    private void memXadd(long w, boolean is64) {
        int dstGpr = Insn.dst(w) * 2, srcGpr = Insn.src(w) * 2, offv = Insn.off(w);
        NfpReg off = urLoadImmAny(offv, IMM_B);
        int out = cur(), fullAdd = cur();
        if (offv != 0) {
            out += 2;
            fullAdd += 2;
        }
        // maybe_16bit and over_16bit both hold
        out += 3;
        fullAdd += 3;
        out += 2 + (is64 ? 1 : 0);
        out += 5;
        fullAdd += 5;
        NfpReg maxImm = IMM_A;
        wrpImmed(maxImm, 0xffff);
        emitAlu(none(), maxImm, AluOp.SUB, b(srcGpr));
        emitAlu(none(), imm(0), AluOp.SUB_C, b(srcGpr + 1));
        emitBr(BrMask.BLO, fullAdd, offv != 0 ? 2 : 0);
        NfpReg addra, addrb;
        if (offv == 0) {
            addra = a(dstGpr);
            addrb = b(dstGpr + 1);
        } else {
            emitAlu(IMMA_A, a(dstGpr), AluOp.ADD, off);
            emitAlu(IMMA_B, a(dstGpr + 1), AluOp.ADD_C, imm(0));
            addra = IMMA_A;
            addrb = IMMA_B;
        }
        NfpReg prevAlu = IMM_A;
        wrpImmed(prevAlu, (2 << 3) | CMD_OVE_LEN | ((0x8 | (is64 ? 1 : 0) << 2) << 8));
        // wrp_reg_or_subpart(prev_alu, src, 2 bytes, at byte 2)
        emitLdField(prevAlu, 0x3 << 2, b(srcGpr), ShfSc.L_SHF, 32 - 2 * 8, false);
        emit(cmd(CmdTgt.ADD_IMM, CmdMode.A40_BA, 0, addra, addrb, 0, CmdCtx.NO_SWAP, true));
        emitBr(BrMask.UNC, out, 0);
        confirm(fullAdd);
        emit(cmd(CmdTgt.ADD, CmdMode.A40_BA, 0, addra, addrb, is64 ? 1 << 2 : 0, is64 ? CmdCtx.SWAP_DEFER2 : CmdCtx.SWAP_DEFER1, false));
        wrpMov(xfer(0), a(srcGpr));
        if (is64) wrpMov(xfer(1), a(srcGpr + 1));
        confirm(out);
    }

    // ---- the stack in local memory (mem_op_stack) ----

    private interface LmemStep {
        void step(int gpr, int gprByte, int off, int size, boolean first, boolean newGpr, boolean last, boolean lm3, boolean needsInc);
    }

    /**
     * A stack load or store of {@code size} bytes at frame-pointer offset {@code ptrOff + insnOff}:
     * the bottom 64 bytes of the frame through LM index 0 (which the firmware points at the stack
     * base), the rest through LM index 3 set to the 32-byte window or the word that holds it.
     */
    private void memOpStack(int insnOff, int size, long ptrOff, int gpr, boolean clrGpr, boolean load) {
        int off = (int) (stackDepth + insnOff + ptrOff);
        boolean needsInc = false, lm3 = true;
        if (off + size <= 64) {
            lm3 = false;
        } else if ((off & ~31) == ((off + size - 1) & ~31)) {
            // the whole access in one 32-byte aligned window: the offset is ORed into the index
            NfpReg r = urLoadImmAny(off & ~31, IMM_B);
            emitAlu(IMM_B, STACK_REG, AluOp.ADD, r);
            off %= 32;
        } else {
            NfpReg r = urLoadImmAny(off & ~3, IMM_B);
            emitAlu(IMM_B, STACK_REG, AluOp.ADD, r);
            needsInc = true;
        }
        if (lm3) {
            emit(csrWr(IMM_B, NFP_CSR_ACT_LM_ADDR3));
            // the new LM address takes effect after three cycles; zeroing the high word fills one
            wrpNops(clrGpr && size < 8 ? 2 : 3);
        }
        if (clrGpr && size < 8) wrpImmed(both(gpr + 1), 0);
        LmemStep step = load ? this::wrpLmemLoad : this::wrpLmemStore;
        boolean first = true;
        int prevGpr = -1, gprByte = 0;
        while (size > 0) {
            int sliceSize = Math.min(size, 4 - gprByte);
            int sliceEnd = Math.min(off + sliceSize, (off + 1 + 3) & ~3);
            sliceSize = sliceEnd - off;
            boolean last = sliceSize == size;
            if (needsInc) off %= 4;
            step.step(gpr, gprByte, off, sliceSize, first, gpr != prevGpr, last, lm3, needsInc);
            prevGpr = gpr;
            first = false;
            gprByte += sliceSize;
            if (gprByte >= 4) {
                gprByte -= 4;
                gpr++;
            }
            size -= sliceSize;
            off += sliceSize;
        }
    }

    private void wrpLmemLoad(int dst, int dstByte, int off, int size, boolean first, boolean newGpr, boolean last, boolean lm3, boolean needsInc) {
        boolean shouldInc = needsInc && newGpr && !last;
        int idx = off / 4;
        if (size == 4) {
            wrpMov(both(dst), shouldInc ? NfpReg.lmInc(3) : lm(lm3 ? 3 : 0, idx));
            return;
        }
        int srcByte = off % 4;
        int mask = ((1 << size) - 1) << dstByte;
        int shf = Math.abs(srcByte - dstByte) * 8;
        ShfSc sc;
        if (srcByte == dstByte) {
            sc = ShfSc.R_ROT;
        } else if (srcByte < dstByte) {
            shf = 32 - shf;
            sc = ShfSc.L_SHF;
        } else {
            sc = ShfSc.R_SHF;
        }
        NfpReg reg;
        if (idx <= RE_REG_LM_IDX_MAX) {
            reg = lm(lm3 ? 3 : 0, idx);
        } else {
            // ld_field reaches fewer LM words: read the word into a GPR first
            reg = IMM_A;
            if (first || !newGpr) wrpMov(reg, lm(0, idx));
        }
        emitLdField(both(dst), mask, reg, sc, shf, newGpr);
        if (shouldInc) wrpMov(none(), NfpReg.lmInc(3));
    }

    private void wrpLmemStore(int src, int srcByte, int off, int size, boolean first, boolean newGpr, boolean last, boolean lm3, boolean needsInc) {
        boolean shouldInc = needsInc && newGpr && !last;
        int idx = off / 4;
        if (size == 4) {
            wrpMov(shouldInc ? NfpReg.lmInc(3) : lm(lm3 ? 3 : 0, idx), b(src));
            return;
        }
        int dstByte = off % 4;
        int mask = ((1 << size) - 1) << dstByte;
        int shf = Math.abs(srcByte - dstByte) * 8;
        ShfSc sc;
        if (srcByte == dstByte) {
            sc = ShfSc.R_ROT;
        } else if (srcByte < dstByte) {
            shf = 32 - shf;
            sc = ShfSc.L_SHF;
        } else {
            sc = ShfSc.R_SHF;
        }
        NfpReg reg;
        if (idx <= RE_REG_LM_IDX_MAX) {
            reg = lm(lm3 ? 3 : 0, idx);
        } else {
            // read-modify-write through a GPR; only the first and last words are partial
            reg = IMM_A;
            if (first || last) wrpMov(reg, lm(0, idx));
        }
        emitLdField(reg, mask, b(src), sc, shf, false);
        if (newGpr || last) {
            if (idx > RE_REG_LM_IDX_MAX) wrpMov(lm(0, idx), reg);
            if (shouldInc) wrpMov(none(), NfpReg.lmInc(3));
        }
    }

    // ---- outros ----

    /**
     * TC direct action: 2 (shot) drop, 4/5 (stolen/queued) drop, 7 (redirect) redirect,
     * anything else pass ("unspec"), aborts pass too; the firmware's action code goes in A0.
     */
    private void outroTcDa() {
        tgtAbort = cur();
        emitBrRelo(BrMask.UNC, BR_OFF_RELO, 2, Relo.BR_NEXT_PKT);
        wrpMov(a(0), ABI_FLAGS);
        emitLdField(a(0), 0xc, imm(0x11), ShfSc.L_SHF, 16, false);
        tgtOut = cur();
        // r0 > 7: abort
        emitAlu(none(), imm(7), AluOp.SUB, b(0));
        emitBr(BrMask.BLO, tgtAbort, 0);
        wrpMov(a(0), ABI_FLAGS);
        wrpImmed(b(2), 0x41221211);
        wrpImmed(b(3), 0x41001211);
        emitShf(a(1), none(), ShfOp.NONE, b(0), ShfSc.L_SHF, 2);
        emitAlu(none(), a(1), AluOp.OR, imm(0));
        emitShf(a(2), imm(0xf), ShfOp.AND, b(2), ShfSc.R_SHF, 0);
        emitAlu(none(), a(1), AluOp.OR, imm(0));
        emitShf(b(2), imm(0xf), ShfOp.AND, b(3), ShfSc.R_SHF, 0);
        emitBrRelo(BrMask.UNC, BR_OFF_RELO, 2, Relo.BR_NEXT_PKT);
        emitShf(b(2), a(2), ShfOp.OR, b(2), ShfSc.L_SHF, 4);
        emitLdField(a(0), 0xc, b(2), ShfSc.L_SHF, 16, false);
    }

    /** XDP: 0 aborted and unknown codes drop (stat 3), 1 drop, 2 pass, 3 tx; the code goes in A0. */
    private void outroXdp() {
        tgtAbort = cur();
        emitBrRelo(BrMask.UNC, BR_OFF_RELO, 2, Relo.BR_NEXT_PKT);
        wrpMov(a(0), ABI_FLAGS);
        emitLdField(a(0), 0xc, imm(0x82), ShfSc.L_SHF, 16, false);
        tgtOut = cur();
        // r0 > 3: abort
        emitAlu(none(), imm(3), AluOp.SUB, b(0));
        emitBr(BrMask.BLO, tgtAbort, 0);
        wrpImmed(b(2), 0x44112282);
        emitShf(a(1), none(), ShfOp.NONE, b(0), ShfSc.L_SHF, 3);
        emitAlu(none(), a(1), AluOp.OR, imm(0));
        emitShf(b(2), imm(0xff), ShfOp.AND, b(2), ShfSc.R_SHF, 0);
        emitBrRelo(BrMask.UNC, BR_OFF_RELO, 2, Relo.BR_NEXT_PKT);
        wrpMov(a(0), ABI_FLAGS);
        emitLdField(a(0), 0xc, b(2), ShfSc.L_SHF, 16, false);
    }
}
