package org.obpf.jit.riscv;

import static org.obpf.api.insn.Opcodes.*;
import static org.obpf.jit.riscv.Reg.*;
import static org.obpf.jit.riscv.RvAsm.*;

import org.obpf.api.insn.Insn;
import org.obpf.api.insn.InsnKind;
import org.obpf.api.jit.Symbol;
import org.obpf.api.jit.code.CodeBuffer;
import org.obpf.api.jit.code.HostAbi;
import org.obpf.api.jit.code.Label;

/**
 * The BPF-to-RV64 translator, the counterpart of the kernel's {@code bpf_jit_comp64.c}: one pass
 * over a validated (and possibly blinded) program into a {@link CodeBuffer}, called once per
 * convergence pass and deterministic.
 *
 * <h2>Image layout</h2>
 * <pre>
 *   entry stub     never compressed, so that {@link #TAIL_CALL_OFFSET} is one constant: saves ra and
 *                  s1..s6, s6 = run context, s5 = BPF stack top + 512, records sp for unwinding,
 *                  calls sub-program 0, returns r0 (a5) in a0; also the unwinding exit (abort)
 *   sub-program 0  at {@link #TAIL_CALL_OFFSET}: where tail calls enter
 *   sub-program 1..
 *   fault stubs    one per instruction that can end the run: ERROR_INSN, ERROR, jump to abort
 * </pre>
 * Every sub-program saves ra and s1..s5 (r6..r10 of its caller) on the machine stack and takes
 * one 512-byte BPF frame below its caller's: the BPF stack is the run context's stack block
 * ({@link HostAbi}), never the machine stack.
 *
 * <h2>External references</h2>
 * Helpers and the tail-call routine: {@code auipc ra; jalr ra} with {@code R_RISCV_CALL}; maps and
 * map values: {@code auipc rd; addi rd} with {@code R_RISCV_PCREL_HI20} on the auipc and
 * {@code R_RISCV_PCREL_LO12_I} on the addi, whose symbol is the auipc itself (the image plus its
 * offset), as in an ELF object.
 */
final class Rv64Codegen extends RvCodegen {

    /** BPF register number to RV64 register (the kernel's {@code regmap}); index 11 is BPF_REG_AX. */
    static final Reg[] MAP = {A5, A0, A1, A2, A3, A4, S1, S2, S3, S4, S5, T0};
    /** Scratch registers: never BPF registers, caller-saved. */
    static final Reg T_1 = T1, T_2 = T2, T_3 = T3, T_4 = T4;
    /** Holds the run context for the whole run. */
    static final Reg CTX = S6;
    /** Bytes the sub-program frame takes on the machine stack: ra, s1..s5, rounded to 16. */
    static final int FRAME = 48;

    /** Registers the entry stub saves (the C callee-saved ones it uses) and each sub-program saves. */
    private static final Reg[] STUB_SAVED = {RA, S1, S2, S3, S4, S5, S6};
    private static final Reg[] FRAME_SAVED = {RA, S1, S2, S3, S4, S5};

    /** Offset of sub-program 0 from the entry: a tail call enters there, past the entry stub. */
    static final int TAIL_CALL_OFFSET;

    static {
        CodeBuffer b = new CodeBuffer();
        Label body = b.newLabel();
        emitEntryStub(new RvEmitter(b, true, false, false, false), body, b.newLabel());
        TAIL_CALL_OFFSET = b.offset();
    }

    private final boolean zba;

    Rv64Codegen(long[] insns, int[] origin, int[] starts, boolean rvc, boolean zba, boolean zbb, boolean zextInserted) {
        super(insns, origin, starts, rvc, zbb, zextInserted);
        this.zba = zba;
    }

    @Override
    RvEmitter emitter(CodeBuffer buf) {
        return new RvEmitter(buf, true, rvc, zba, zbb);
    }

    @Override
    void entryStub(RvEmitter a, Label body, Label abort) {
        emitEntryStub(a, body, abort);
    }

    @Override
    int tailCallOffset() {
        return TAIL_CALL_OFFSET;
    }

    @Override
    Reg ctx() {
        return CTX;
    }

    @Override
    Reg scratch() {
        return T_1;
    }

    // ---- frames ----


    /** {@code long entry(long r1, long r2, long runContext)}. */
    private static void emitEntryStub(RvEmitter a, Label body, Label abort) {
        CodeBuffer b = a.buf;
        a.addi(SP, SP, -64);
        for (int i = 0; i < STUB_SAVED.length; i++) a.store(8, STUB_SAVED[i], SP, 56 - 8 * i);
        a.mv(CTX, A2);
        a.load(8, false, S5, CTX, HostAbi.STACK_TOP);
        a.addi(S5, S5, HostAbi.STACK_FRAME); // each prologue takes one frame
        a.store(8, SP, CTX, HostAbi.SAVED_SP);
        a.jal(RA, body);
        Label done = b.newLabel();
        b.bind(done);
        a.mv(A0, A5);
        for (int i = 0; i < STUB_SAVED.length; i++) a.load(8, false, STUB_SAVED[i], SP, 56 - 8 * i);
        a.addi(SP, SP, 64);
        a.ret();
        b.bind(abort); // every error path: unwind all BPF frames at once
        a.load(8, false, SP, CTX, HostAbi.SAVED_SP);
        a.j(done);
    }

    @Override
    void prologue() {
        a.addi(SP, SP, -FRAME);
        for (int i = 0; i < FRAME_SAVED.length; i++) a.store(8, FRAME_SAVED[i], SP, FRAME - 8 - 8 * i);
        a.addi(S5, S5, -HostAbi.STACK_FRAME);
    }

    /** Restores the caller's registers and pops the frame. */
    private void popFrame() {
        for (int i = 0; i < FRAME_SAVED.length; i++) a.load(8, false, FRAME_SAVED[i], SP, FRAME - 8 - 8 * i);
        a.addi(SP, SP, FRAME);
    }

    @Override
    void epilogue() {
        popFrame();
        a.ret();
    }

    // ---- instructions ----

    private static Reg r(int bpfReg) {
        return MAP[bpfReg];
    }

    /** After a 32-bit operation: zero-extend, unless the verifier made that explicit. */
    private void end32(boolean w, Reg rd) {
        if (!w && !zextInserted) a.zextW(rd, rd);
    }

    @Override
    void insn(int pc, int end) {
        long word = insns[pc];
        int code = Insn.code(word);
        int cls = bpfClass(code);
        int dst = Insn.dst(word);
        int src = Insn.src(word);
        short off = Insn.off(word);
        int imm = Insn.imm(word);
        InsnKind kind = kinds[pc];
        switch (cls) {
            case BPF_ALU, BPF_ALU64 -> alu(kind, cls == BPF_ALU64, bpfSrc(code) == BPF_X, r(dst), r(src), off, imm);
            case BPF_LDX -> {
                int size = sizeBytes(bpfSize(code));
                Reg base = base(r(src), off);
                a.load(size, kind == InsnKind.LDXSX, r(dst), base, base == T_1 ? 0 : off);
            }
            case BPF_ST -> {
                int size = sizeBytes(bpfSize(code));
                Reg v = T_2;
                if (imm == 0) v = ZERO;
                else a.imm(T_2, imm);
                Reg base = base(r(dst), off);
                a.store(size, v, base, base == T_1 ? 0 : off);
            }
            case BPF_STX -> {
                int size = sizeBytes(bpfSize(code));
                if (kind == InsnKind.STX) {
                    Reg base = base(r(dst), off);
                    a.store(size, r(src), base, base == T_1 ? 0 : off);
                } else {
                    atomic(kind, size == 8, r(dst), off, r(src));
                }
            }
            case BPF_JMP, BPF_JMP32 -> jmp(pc, end, kind, cls == BPF_JMP, bpfSrc(code) == BPF_X, r(dst), src, off, imm);
            default -> throw new IllegalStateException("insn " + origin[pc] + ": class " + cls + " reached code generation");
        }
    }

    /** The base register for {@code reg + off}: reg itself when off fits 12 bits, else T1 = reg + off. */
    private Reg base(Reg reg, int off) {
        if (isInt(off, 12)) return reg;
        a.imm(T_1, off);
        a.add(T_1, T_1, reg);
        return T_1;
    }

    @Override
    void ldImm64(int pc) {
        long w = insns[pc];
        Reg dst = r(Insn.dst(w));
        int hi = Insn.imm(insns[pc + 1]);
        switch (Insn.src(w)) {
            case 0 -> a.imm(dst, (Insn.imm(w) & 0xffffffffL) | (long) hi << 32);
            case BPF_PSEUDO_MAP_IDX -> pcrelAddress(dst, Symbol.map(Insn.imm(w)), 0);
            case BPF_PSEUDO_MAP_IDX_VALUE -> pcrelAddress(dst, Symbol.mapValue(Insn.imm(w)), hi & 0xffffffffL);
            default -> throw new IllegalStateException("insn " + origin[pc] + ": lddw src " + Insn.src(w) + " reached code generation");
        }
    }

    /** {@code rd = &symbol + addend}: auipc/addi with a PC-relative HI20/LO12_I pair. */
    private void pcrelAddress(Reg rd, Symbol s, long addend) {
        int at = b.offset();
        b.relocate(at, RvRelocations.R_RISCV_PCREL_HI20, "R_RISCV_PCREL_HI20", s, addend);
        a.emit(auipc(rd, 0));
        b.relocate(b.offset(), RvRelocations.R_RISCV_PCREL_LO12_I, "R_RISCV_PCREL_LO12_I", Symbol.image(), at);
        a.emit(RvAsm.addi(rd, rd, 0));
    }

    /** {@code auipc ra; jalr ra} to {@code s}, with R_RISCV_CALL. */
    private void call(Symbol s) {
        b.relocate(b.offset(), RvRelocations.R_RISCV_CALL, "R_RISCV_CALL", s, 0);
        a.emit(auipc(RA, 0));
        a.emit(jalr(RA, RA, 0));
    }

    /** Loads a 32-bit immediate into T1 for a register-form operation, or names zero. */
    private Reg immReg(int imm) {
        if (imm == 0) return ZERO;
        a.imm(T_1, imm);
        return T_1;
    }

    private void alu(InsnKind kind, boolean w, boolean x, Reg rd, Reg rs, short off, int imm) {
        switch (kind) {
            case ADD -> {
                if (!x && isInt(imm, 12)) {
                    if (w) a.addi(rd, rd, imm);
                    else a.addiw(rd, rd, imm);
                } else {
                    Reg s = x ? rs : immReg(imm);
                    if (w) a.add(rd, rd, s);
                    else a.addw(rd, rd, s);
                }
                end32(w, rd);
            }
            case SUB -> {
                if (!x && isInt(-(long) imm, 12)) {
                    if (w) a.addi(rd, rd, -imm);
                    else a.addiw(rd, rd, -imm);
                } else {
                    Reg s = x ? rs : immReg(imm);
                    if (w) a.sub(rd, rd, s);
                    else a.subw(rd, rd, s);
                }
                end32(w, rd);
            }
            case AND, OR, XOR -> {
                if (!x && isInt(imm, 12)) {
                    switch (kind) {
                        case AND -> a.andi(rd, rd, imm);
                        case OR -> a.emit(ori(rd, rd, imm));
                        default -> a.emit(xori(rd, rd, imm));
                    }
                } else {
                    Reg s = x ? rs : immReg(imm);
                    switch (kind) {
                        case AND -> a.and(rd, rd, s);
                        case OR -> a.or(rd, rd, s);
                        default -> a.xor(rd, rd, s);
                    }
                }
                end32(w, rd);
            }
            case MOV -> {
                if (x) {
                    if (w) a.mv(rd, rs);
                    else a.zextW(rd, rs); // also the verifier's explicit zero extension (mov32 rd, rd)
                } else {
                    a.imm(rd, imm);
                    end32(w, rd);
                }
            }
            case MOVSX -> {
                switch (off) {
                    case 8 -> signExtend(rd, rs, 8);
                    case 16 -> signExtend(rd, rs, 16);
                    default -> a.sextW(rd, rs);
                }
                end32(w, rd);
            }
            case MUL -> {
                Reg s = x ? rs : immReg(imm);
                a.emit(w ? mul(rd, rd, s) : mulw(rd, rd, s));
                end32(w, rd);
            }
            case DIV, SDIV -> {
                boolean signed = kind == InsnKind.SDIV;
                if (!x && imm == 0) { // by zero: 0
                    a.li(rd, 0);
                    return;
                }
                Reg s = x ? rs : immReg(imm);
                Label done = null;
                if (x) { // RISC-V gives all ones for division by zero, BPF 0
                    Label nonZero = b.newLabel();
                    done = b.newLabel();
                    Reg test = s;
                    if (!w) {
                        a.zextW(T_2, s);
                        test = T_2;
                    }
                    a.branch(BNE, test, ZERO, nonZero);
                    a.li(rd, 0);
                    a.j(done);
                    b.bind(nonZero);
                }
                a.emit(w ? (signed ? div(rd, rd, s) : divu(rd, rd, s)) : (signed ? divw(rd, rd, s) : divuw(rd, rd, s)));
                end32(w, rd);
                if (done != null) b.bind(done);
            }
            case MOD, SMOD -> {
                // By zero RISC-V leaves the dividend (sign-extended in the W forms), as BPF does; by -1 0.
                boolean signed = kind == InsnKind.SMOD;
                if (!x && imm == 0) {
                    end32(w, rd);
                    return;
                }
                Reg s = x ? rs : immReg(imm);
                a.emit(w ? (signed ? rem(rd, rd, s) : remu(rd, rd, s)) : (signed ? remw(rd, rd, s) : remuw(rd, rd, s)));
                end32(w, rd);
            }
            case LSH, RSH, ARSH -> {
                if (x) {
                    int insn = switch (kind) {
                        case LSH -> w ? sll(rd, rd, rs) : sllw(rd, rd, rs);
                        case RSH -> w ? srl(rd, rd, rs) : srlw(rd, rd, rs);
                        default -> w ? sra(rd, rd, rs) : sraw(rd, rd, rs);
                    };
                    a.emit(insn);
                } else {
                    int k = imm & (w ? 63 : 31);
                    if (w) {
                        if (k != 0) {
                            switch (kind) {
                                case LSH -> a.slli(rd, rd, k);
                                case RSH -> a.srli(rd, rd, k);
                                default -> a.srai(rd, rd, k);
                            }
                        }
                    } else if (k != 0 || zextInserted) {
                        a.emit(switch (kind) {
                            case LSH -> slliw(rd, rd, k);
                            case RSH -> srliw(rd, rd, k);
                            default -> sraiw(rd, rd, k);
                        });
                    }
                }
                end32(w, rd);
            }
            case NEG -> {
                a.emit(w ? RvAsm.sub(rd, ZERO, rd) : RvAsm.subw(rd, ZERO, rd));
                end32(w, rd);
            }
            case LE -> {
                switch (imm) {
                    case 16 -> zext16(rd);
                    case 32 -> a.zextW(rd, rd);
                    default -> { } // 64: nothing on a little-endian machine
                }
            }
            case BE, BSWAP -> bswap(rd, imm);
            default -> throw new IllegalStateException(kind + " is not an ALU operation");
        }
    }

    private void signExtend(Reg rd, Reg rs, int bits) {
        if (zbb) {
            a.emit(bits == 8 ? sext_b(rd, rs) : sext_h(rd, rs));
        } else {
            a.mv(rd, rs);
            a.slli(rd, rd, 64 - bits);
            a.srai(rd, rd, 64 - bits);
        }
    }

    private void zext16(Reg rd) {
        if (zbb) {
            a.emit(zext_h(true, rd, rd));
        } else {
            a.slli(rd, rd, 48);
            a.srli(rd, rd, 48);
        }
    }

    /** Byte swap of the low {@code bits} bits, zero-extended: rev8 with Zbb, else the kernel's emit_bswap. */
    private void bswap(Reg rd, int bits) {
        if (zbb) {
            a.emit(rev8(true, rd, rd));
            if (bits < 64) a.srli(rd, rd, 64 - bits);
            return;
        }
        a.li(T_2, 0);
        for (int i = 0; i < bits / 8 - 1; i++) {
            a.andi(T_1, rd, 0xff);
            a.or(T_2, T_2, T_1);
            a.slli(T_2, T_2, 8);
            a.srli(rd, rd, 8);
        }
        a.andi(T_1, rd, 0xff);
        a.or(T_2, T_2, T_1);
        a.mv(rd, T_2);
    }

    // ---- atomics ----

    private void atomic(InsnKind kind, boolean w, Reg dst, int off, Reg src) {
        Reg addr = dst;
        if (off != 0) {
            if (isInt(off, 12)) a.addi(T_1, dst, off);
            else {
                a.imm(T_1, off);
                a.add(T_1, T_1, dst);
            }
            addr = T_1;
        }
        switch (kind) {
            case ATOMIC_ADD -> a.emit(amo(AMO_ADD, w, false, ZERO, src, addr));
            case ATOMIC_OR -> a.emit(amo(AMO_OR, w, false, ZERO, src, addr));
            case ATOMIC_AND -> a.emit(amo(AMO_AND, w, false, ZERO, src, addr));
            case ATOMIC_XOR -> a.emit(amo(AMO_XOR, w, false, ZERO, src, addr));
            case ATOMIC_FETCH_ADD, ATOMIC_FETCH_OR, ATOMIC_FETCH_AND, ATOMIC_FETCH_XOR, ATOMIC_XCHG -> {
                int f5 = switch (kind) {
                    case ATOMIC_FETCH_ADD -> AMO_ADD;
                    case ATOMIC_FETCH_OR -> AMO_OR;
                    case ATOMIC_FETCH_AND -> AMO_AND;
                    case ATOMIC_FETCH_XOR -> AMO_XOR;
                    default -> AMO_SWAP;
                };
                a.emit(amo(f5, w, true, src, src, addr));
                if (!w) a.zextW(src, src); // the W forms sign-extend the old value
            }
            case ATOMIC_CMPXCHG -> {
                // The kernel's emit_cmpxchg: LR/SC loop against r0, r0 = the old value.
                Reg r0 = MAP[0];
                if (w) a.mv(T_2, r0);
                else a.sextW(T_2, r0); // lr.w sign-extends what it loads
                Label loop = b.newLabel();
                Label done = b.newLabel();
                b.bind(loop);
                a.emit(lr(w, T_3, addr, true));
                a.branch(BNE, T_3, T_2, done);
                a.emit(sc(w, T_4, src, addr, true));
                a.branch(BNE, T_4, ZERO, loop);
                a.emit(fence_rw_rw());
                b.bind(done);
                if (w) a.mv(r0, T_3);
                else a.zextW(r0, T_3);
            }
            default -> throw new IllegalStateException(kind + " is not an atomic operation");
        }
    }

    // ---- jumps, calls, exit ----

    private void jmp(int pc, int end, InsnKind kind, boolean w, boolean x, Reg dst, int srcField, short off, int imm) {
        switch (kind) {
            case JA, GOTOL -> {
                int target = pc + 1 + (kind == InsnKind.JA ? off : imm);
                if (target != pc + 1) a.j(insnLabel[target]);
            }
            case EXIT -> {
                if (pc != end - 1) a.j(epilogue[funcOf[pc]]);
            }
            case CALL_HELPER -> {
                if (imm == BPF_FUNC_TAIL_CALL) tailCall(pc);
                else helperCall(pc, imm);
            }
            case CALL_LOCAL -> {
                int target = pc + 1 + imm;
                a.load(4, false, T_1, CTX, HostAbi.CALL_DEPTH);
                a.li(T_2, HostAbi.MAX_CALL_FRAMES - 1);
                a.branch(BGEU, T_1, T_2, fault(pc, HostAbi.E2BIG));
                a.addi(T_1, T_1, 1);
                a.store(4, T_1, CTX, HostAbi.CALL_DEPTH);
                a.jal(RA, funcLabel[funcOf[target]]);
                a.load(4, false, T_1, CTX, HostAbi.CALL_DEPTH);
                a.addi(T_1, T_1, -1);
                a.store(4, T_1, CTX, HostAbi.CALL_DEPTH);
            }
            case JSET -> {
                if (!x && isInt(imm, 12)) a.andi(T_1, dst, imm);
                else a.and(T_1, dst, x ? r(srcField) : immReg(imm));
                if (!w) a.slli(T_1, T_1, 32);
                a.branch(BNE, T_1, ZERO, insnLabel[pc + 1 + off]);
            }
            default -> {
                Reg rs = x ? r(srcField) : immReg(imm);
                Reg rd = dst;
                boolean signed = kind == InsnKind.JSGT || kind == InsnKind.JSGE || kind == InsnKind.JSLT || kind == InsnKind.JSLE;
                if (!w) { // compare the low halves, extended as the comparison needs
                    if (signed) {
                        a.sextW(T_2, rd);
                        if (rs != ZERO) a.sextW(T_1, rs);
                    } else {
                        a.zextW(T_2, rd);
                        if (rs != ZERO) a.zextW(T_1, rs);
                    }
                    rd = T_2;
                    if (rs != ZERO) rs = T_1;
                }
                Label t = insnLabel[pc + 1 + off];
                switch (kind) {
                    case JEQ -> a.branch(BEQ, rd, rs, t);
                    case JNE -> a.branch(BNE, rd, rs, t);
                    case JGT -> a.branch(BLTU, rs, rd, t);
                    case JGE -> a.branch(BGEU, rd, rs, t);
                    case JLT -> a.branch(BLTU, rd, rs, t);
                    case JLE -> a.branch(BGEU, rs, rd, t);
                    case JSGT -> a.branch(BLT, rs, rd, t);
                    case JSGE -> a.branch(BGE, rd, rs, t);
                    case JSLT -> a.branch(BLT, rd, rs, t);
                    case JSLE -> a.branch(BGE, rs, rd, t);
                    default -> throw new IllegalStateException(kind + " is not a conditional jump");
                }
            }
        }
    }

    static final int BPF_FUNC_TAIL_CALL = 12;

    /** r1..r5 are already a0..a4, the C argument registers; the result comes back in a0. */
    private void helperCall(int pc, int id) {
        call(Symbol.helper(id));
        a.mv(MAP[0], A0);
        a.load(4, false, T_1, CTX, HostAbi.ERROR);
        a.branch(BNE, T_1, ZERO, fault(pc, 0));
    }

    /**
     * {@code bpf_tail_call(ctx, prog_array, index)}: the runtime looks the target up and answers
     * its entry or 0; on a hit this frame is popped and the target entered past its entry stub.
     */
    private void tailCall(int pc) {
        Label fallThrough = b.newLabel();
        a.addi(SP, SP, -16);
        a.store(8, A0, SP, 0);
        a.store(8, A5, SP, 8);
        a.mv(A0, CTX);
        call(Symbol.runtime(HostAbi.TAIL_CALL_SYMBOL));
        a.mv(T_1, A0);
        a.load(8, false, A0, SP, 0);
        a.load(8, false, A5, SP, 8);
        a.addi(SP, SP, 16);
        a.load(4, false, T_2, CTX, HostAbi.ERROR);
        a.branch(BNE, T_2, ZERO, fault(pc, 0));
        a.branch(BEQ, T_1, ZERO, fallThrough);
        popFrame();
        a.addi(T_1, T_1, TAIL_CALL_OFFSET);
        a.jr(T_1);
        b.bind(fallThrough);
    }
}
