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
import org.obpf.api.offload.FirmwareAtomics;

/**
 * The BPF-to-RV32 translator, after the kernel's {@code bpf_jit_comp32.c}: every 64-bit BPF
 * register is a pair of 32-bit registers (or a pair of stack words), and 64-bit operations are
 * sequences on the halves (carries through {@code sltu}, 64-bit shifts split at 32, compares high
 * half first). Unlike the kernel, 64-bit division and modulo are compiled too, by an out-of-line
 * shift-subtract routine emitted once per image; 64-bit atomics are refused (RV32A has no 64-bit
 * AMO or LR/SC), which {@link Rv32JitBackend#capabilities()} says, unless the target has
 * firmware atomic routines ({@link FirmwareAtomics}): then every atomic is a call to one.
 *
 * <h2>Registers</h2>
 * r0 s0:s1 (lo:hi), r1..r4 a0:a1 .. a6:a7 (the C argument pairs, so helper calls need no moves),
 * r5 and r9 in stack words of the frame (r5 at sp+0, where the C ABI wants a fifth 64-bit
 * argument), r6 s2:s3, r7 s4:s5, r8 s6:s7, r10 s10:s11, AX t6:s9; the run context in s8;
 * scratch pairs t2:t3, t4:t5 and t0, t1.
 *
 * <h2>Image layout</h2>
 * As on RV64 ({@link Rv64Codegen}): a fixed, uncompressed entry stub
 * {@code u64 entry(u32 r1, u32 r2, void *runContext)}, the sub-programs, the fault stubs, then
 * the division routine when used. Each sub-program's frame: r5 and r9 words, two scratch words,
 * ra and s2..s11 (r0's s0:s1 are results, never restored).
 */
final class Rv32Codegen extends RvCodegen {

    /** A BPF register's home: two registers, or two words at {@code sp + slot}. */
    record Home(Reg lo, Reg hi, int slot) {
        boolean inRegs() {
            return lo != null;
        }
    }

    static final int R5_SLOT = 0, R9_SLOT = 8, SCRATCH = 16;
    static final Home[] MAP = {
        new Home(S0, S1, -1), new Home(A0, A1, -1), new Home(A2, A3, -1), new Home(A4, A5, -1), new Home(A6, A7, -1),
        new Home(null, null, R5_SLOT), new Home(S2, S3, -1), new Home(S4, S5, -1), new Home(S6, S7, -1),
        new Home(null, null, R9_SLOT), new Home(S10, S11, -1), new Home(T6, S9, -1)};
    /** Each register-resident BPF register's pair, shared (never written), or null for stack homes. */
    private static final Reg[][] PAIRS = new Reg[MAP.length][];

    static {
        for (int r = 0; r < MAP.length; r++) if (MAP[r].inRegs()) PAIRS[r] = new Reg[] {MAP[r].lo, MAP[r].hi};
    }

    static final Reg CTX = S8;
    static final Reg[] TMP1 = {T2, T3}, TMP2 = {T4, T5};

    private static final Reg[] STUB_SAVED = {RA, S0, S1, S2, S3, S4, S5, S6, S7, S8, S9, S10, S11};
    private static final Reg[] FRAME_SAVED = {RA, S2, S3, S4, S5, S6, S7, S8, S9, S10, S11};
    static final int STUB_FRAME = 64;
    static final int FRAME = 80;

    static final int TAIL_CALL_OFFSET;

    static {
        CodeBuffer b = new CodeBuffer();
        Label body = b.newLabel();
        emitEntryStub(new RvEmitter(b, false, false, false, false), body, b.newLabel());
        TAIL_CALL_OFFSET = b.offset();
    }

    /** Atomics as calls to the target's firmware routines ({@link FirmwareAtomics}) rather than AMOs. */
    private final boolean fwAtomics;

    // Per pass: the out-of-line 64-bit division routines, emitted once if used.
    private Label udivmod;
    private Label sdivmod;
    private boolean divUsed;

    Rv32Codegen(long[] insns, int[] origin, int[] starts, boolean rvc, boolean zbb, boolean zextInserted, boolean fwAtomics) {
        super(insns, origin, starts, rvc, zbb, zextInserted);
        this.fwAtomics = fwAtomics;
    }

    @Override
    RvEmitter emitter(CodeBuffer buf) {
        return new RvEmitter(buf, false, rvc, false, zbb);
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
        return T0;
    }

    @Override
    void beginPass() {
        udivmod = b.newLabel();
        sdivmod = b.newLabel();
        divUsed = false;
    }

    @Override
    void endPass() {
        if (divUsed) emitDivMod();
    }

    // ---- frames ----

    /** {@code u64 entry(u32 r1, u32 r2, void *runContext)}: r1 = a0, r2 = a1 zero-extended into their pairs. */
    private static void emitEntryStub(RvEmitter a, Label body, Label abort) {
        CodeBuffer b = a.buf;
        a.addi(SP, SP, -STUB_FRAME);
        for (int i = 0; i < STUB_SAVED.length; i++) a.store(4, STUB_SAVED[i], SP, STUB_FRAME - 4 - 4 * i);
        a.mv(CTX, A2);
        a.load(4, true, S10, CTX, HostAbi.STACK_TOP);
        a.addi(S10, S10, HostAbi.STACK_FRAME); // each prologue takes one frame
        a.li(S11, 0);
        a.store(4, SP, CTX, HostAbi.SAVED_SP);
        a.mv(A2, A1);
        a.li(A1, 0);
        a.li(A3, 0);
        a.jal(RA, body);
        Label done = b.newLabel();
        b.bind(done);
        a.mv(A0, S0);
        a.mv(A1, S1);
        for (int i = 0; i < STUB_SAVED.length; i++) a.load(4, true, STUB_SAVED[i], SP, STUB_FRAME - 4 - 4 * i);
        a.addi(SP, SP, STUB_FRAME);
        a.ret();
        b.bind(abort);
        a.load(4, true, SP, CTX, HostAbi.SAVED_SP);
        a.j(done);
    }

    @Override
    void prologue() {
        a.addi(SP, SP, -FRAME);
        for (int i = 0; i < FRAME_SAVED.length; i++) a.store(4, FRAME_SAVED[i], SP, FRAME - 4 - 4 * i);
        // r5 is an argument: the caller's r5 words are just above this frame.
        a.load(4, true, T0, SP, FRAME + R5_SLOT);
        a.store(4, T0, SP, R5_SLOT);
        a.load(4, true, T0, SP, FRAME + R5_SLOT + 4);
        a.store(4, T0, SP, R5_SLOT + 4);
        a.addi(S10, S10, -HostAbi.STACK_FRAME);
    }

    private void popFrame() {
        for (int i = 0; i < FRAME_SAVED.length; i++) a.load(4, true, FRAME_SAVED[i], SP, FRAME - 4 - 4 * i);
        a.addi(SP, SP, FRAME);
    }

    @Override
    void epilogue() {
        popFrame();
        a.ret();
    }

    // ---- register pairs ----

    /** The registers holding BPF register {@code r}: its home, or {@code tmp} loaded from its stack words. */
    private Reg[] get(int r, Reg[] tmp) {
        Home h = MAP[r];
        if (h.inRegs()) return PAIRS[r];
        a.load(4, true, tmp[0], SP, h.slot);
        a.load(4, true, tmp[1], SP, h.slot + 4);
        return tmp;
    }

    /** The registers to compute BPF register {@code r} into: its home, or {@code tmp}. */
    private Reg[] target(int r, Reg[] tmp) {
        return MAP[r].inRegs() ? PAIRS[r] : tmp;
    }

    /** Stores {@code v} to BPF register {@code r}'s home if that is the stack. */
    private void put(int r, Reg[] v) {
        Home h = MAP[r];
        if (h.inRegs()) {
            a.mv(h.lo, v[0]);
            a.mv(h.hi, v[1]);
        } else {
            a.store(4, v[0], SP, h.slot);
            a.store(4, v[1], SP, h.slot + 4);
        }
    }

    /** A source operand: a distinct copy in TMP2 when it is the destination register itself. */
    private Reg[] src(int src, int dst) {
        Reg[] s = get(src, TMP2);
        if (src == dst && s != TMP2) {
            a.mv(TMP2[0], s[0]);
            a.mv(TMP2[1], s[1]);
            return TMP2;
        }
        return s;
    }

    /** TMP2 = sign-extended 32-bit immediate. */
    private Reg[] immPair(int imm) {
        a.imm(TMP2[0], imm);
        if (imm < 0) a.li(TMP2[1], -1);
        else a.li(TMP2[1], 0);
        return TMP2;
    }

    private void zeroHi(Reg[] d) {
        if (!zextInserted) a.li(d[1], 0);
    }

    // ---- instructions ----

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
            case BPF_ALU -> alu32(pc, kind, bpfSrc(code) == BPF_X, dst, src, off, imm);
            case BPF_ALU64 -> alu64(pc, kind, bpfSrc(code) == BPF_X, dst, src, off, imm);
            case BPF_LDX -> load(sizeBytes(bpfSize(code)), kind == InsnKind.LDXSX, dst, src, off);
            case BPF_ST -> {
                int size = sizeBytes(bpfSize(code));
                Reg[] v = imm == 0 ? new Reg[] {ZERO, ZERO} : immPair(imm);
                store(size, dst, v, off);
            }
            case BPF_STX -> {
                int size = sizeBytes(bpfSize(code));
                if (kind == InsnKind.STX) store(size, dst, get(src, TMP2), off);
                else atomic(pc, kind, size == 8, dst, src, off);
            }
            case BPF_JMP, BPF_JMP32 -> jmp(pc, end, kind, cls == BPF_JMP, bpfSrc(code) == BPF_X, dst, src, off, imm);
            default -> throw new IllegalStateException("insn " + origin[pc] + ": class " + cls + " reached code generation");
        }
    }

    /** Base register and offset for an access of {@code span} bytes at {@code base + off}. */
    private Reg address(Reg base, int off, int span) {
        if (isInt(off, 12) && isInt(off + span - 4L, 12)) return base;
        a.imm(T0, off);
        a.add(T0, T0, base);
        return T0;
    }

    private void load(int size, boolean signed, int dst, int src, int off) {
        Reg base = get(src, TMP2)[0];
        Reg[] d = target(dst, TMP1);
        Reg at = address(base, off, size == 8 ? 8 : 4);
        int o = at == T0 ? 0 : off;
        if (size == 8) {
            if (at == d[0]) {
                a.load(4, true, d[1], at, o + 4);
                a.load(4, true, d[0], at, o);
            } else {
                a.load(4, true, d[0], at, o);
                a.load(4, true, d[1], at, o + 4);
            }
        } else {
            a.load(size, signed, d[0], at, o);
            if (signed) a.srai(d[1], d[0], 31);
            else a.li(d[1], 0);
        }
        put(dst, d);
    }

    private void store(int size, int dst, Reg[] v, int off) {
        Reg base = get(dst, TMP1)[0];
        Reg at = address(base, off, size == 8 ? 8 : 4);
        int o = at == T0 ? 0 : off;
        a.store(Math.min(size, 4), v[0], at, o);
        if (size == 8) a.store(4, v[1], at, o + 4);
    }

    @Override
    void ldImm64(int pc) {
        long w = insns[pc];
        int dst = Insn.dst(w);
        Reg[] d = target(dst, TMP1);
        int hi = Insn.imm(insns[pc + 1]);
        switch (Insn.src(w)) {
            case 0 -> {
                a.imm(d[0], Insn.imm(w));
                a.imm(d[1], hi);
            }
            case BPF_PSEUDO_MAP_IDX -> {
                pcrelAddress(d[0], Symbol.map(Insn.imm(w)), 0);
                a.li(d[1], 0);
            }
            case BPF_PSEUDO_MAP_IDX_VALUE -> {
                pcrelAddress(d[0], Symbol.mapValue(Insn.imm(w)), hi & 0xffffffffL);
                a.li(d[1], 0);
            }
            default -> throw new IllegalStateException("insn " + origin[pc] + ": lddw src " + Insn.src(w) + " reached code generation");
        }
        put(dst, d);
    }

    private void pcrelAddress(Reg rd, Symbol s, long addend) {
        int at = b.offset();
        b.relocate(at, RvRelocations.R_RISCV_PCREL_HI20, "R_RISCV_PCREL_HI20", s, addend);
        a.emit(auipc(rd, 0));
        b.relocate(b.offset(), RvRelocations.R_RISCV_PCREL_LO12_I, "R_RISCV_PCREL_LO12_I", Symbol.image(), at);
        a.emit(RvAsm.addi(rd, rd, 0));
    }

    private void call(Symbol s) {
        b.relocate(b.offset(), RvRelocations.R_RISCV_CALL, "R_RISCV_CALL", s, 0);
        a.emit(auipc(RA, 0));
        a.emit(jalr(RA, RA, 0));
    }

    // ---- ALU ----

    private void alu32(int pc, InsnKind kind, boolean x, int dst, int src, short off, int imm) {
        Reg[] d = get(dst, TMP1);
        Reg rd = d[0];
        Reg rs = x ? src(src, dst)[0] : null;
        switch (kind) {
            case ADD -> {
                if (!x && isInt(imm, 12)) a.addi(rd, rd, imm);
                else a.add(rd, rd, x ? rs : immLo(imm));
            }
            case SUB -> {
                if (!x && isInt(-(long) imm, 12)) a.addi(rd, rd, -imm);
                else a.sub(rd, rd, x ? rs : immLo(imm));
            }
            case AND -> {
                if (!x && isInt(imm, 12)) a.andi(rd, rd, imm);
                else a.and(rd, rd, x ? rs : immLo(imm));
            }
            case OR -> {
                if (!x && isInt(imm, 12)) a.emit(ori(rd, rd, imm));
                else a.or(rd, rd, x ? rs : immLo(imm));
            }
            case XOR -> {
                if (!x && isInt(imm, 12)) a.emit(xori(rd, rd, imm));
                else a.xor(rd, rd, x ? rs : immLo(imm));
            }
            case MOV -> {
                if (x) a.mv(rd, rs);
                else a.imm(rd, imm);
                a.li(d[1], 0); // mov32 always zero-extends (also the verifier's explicit zext)
                put(dst, d);
                return;
            }
            case MOVSX -> {
                if (x) signExtend(rd, rs, off);
            }
            case MUL -> a.emit(mul(rd, rd, x ? rs : immLo(imm)));
            case DIV, SDIV, MOD, SMOD -> {
                boolean signed = kind == InsnKind.SDIV || kind == InsnKind.SMOD;
                boolean mod = kind == InsnKind.MOD || kind == InsnKind.SMOD;
                if (!x && imm == 0) {
                    if (!mod) a.li(rd, 0);
                } else {
                    Reg s = x ? rs : immLo(imm);
                    Label done = null;
                    if (x && !mod) { // RISC-V gives all ones for division by zero, BPF 0; rem gives the dividend, as BPF
                        Label nonZero = b.newLabel();
                        done = b.newLabel();
                        a.branch(BNE, s, ZERO, nonZero);
                        a.li(rd, 0);
                        a.j(done);
                        b.bind(nonZero);
                    }
                    a.emit(mod ? (signed ? rem(rd, rd, s) : remu(rd, rd, s)) : (signed ? div(rd, rd, s) : divu(rd, rd, s)));
                    if (done != null) b.bind(done);
                }
            }
            case LSH, RSH, ARSH -> {
                if (x) {
                    a.emit(switch (kind) {
                        case LSH -> sll(rd, rd, rs);
                        case RSH -> srl(rd, rd, rs);
                        default -> sra(rd, rd, rs);
                    });
                } else {
                    int k = imm & 31;
                    if (k != 0) {
                        switch (kind) {
                            case LSH -> a.slli(rd, rd, k);
                            case RSH -> a.srli(rd, rd, k);
                            default -> a.srai(rd, rd, k);
                        }
                    }
                }
            }
            case NEG -> a.emit(RvAsm.sub(rd, ZERO, rd));
            case LE -> {
                if (imm == 16) zext16(rd);
                if (imm == 64) return; // nothing to do, and no zero extension
                a.li(d[1], 0);
                put(dst, d);
                return;
            }
            case BE -> {
                if (imm == 64) {
                    bswap64(d);
                } else {
                    bswap32(rd, imm);
                    a.li(d[1], 0);
                }
                put(dst, d);
                return;
            }
            default -> throw new IllegalStateException("insn " + origin[pc] + ": " + kind + " is not a 32-bit ALU operation");
        }
        zeroHi(d);
        put(dst, d);
    }

    /** T0 = imm, for register-form operations on the low half. */
    private Reg immLo(int imm) {
        if (imm == 0) return ZERO;
        a.imm(T0, imm);
        return T0;
    }

    private void signExtend(Reg rd, Reg rs, int bits) {
        if (zbb && bits < 32) {
            a.emit(bits == 8 ? sext_b(rd, rs) : sext_h(rd, rs));
        } else if (bits < 32) {
            a.mv(rd, rs);
            a.slli(rd, rd, 32 - bits);
            a.srai(rd, rd, 32 - bits);
        } else {
            a.mv(rd, rs);
        }
    }

    private void zext16(Reg rd) {
        if (zbb) {
            a.emit(zext_h(false, rd, rd));
        } else {
            a.slli(rd, rd, 16);
            a.srli(rd, rd, 16);
        }
    }

    /** Byte swap of the low {@code bits} (16 or 32) bits of rd, zero-extended; uses t0, t1. */
    private void bswap32(Reg rd, int bits) {
        if (zbb) {
            a.emit(rev8(false, rd, rd));
            if (bits == 16) a.srli(rd, rd, 16);
            return;
        }
        a.li(T1, 0);
        for (int i = 0; i < bits / 8 - 1; i++) {
            a.andi(T0, rd, 0xff);
            a.or(T1, T1, T0);
            a.slli(T1, T1, 8);
            a.srli(rd, rd, 8);
        }
        a.andi(T0, rd, 0xff);
        a.or(T1, T1, T0);
        a.mv(rd, T1);
    }

    private void bswap64(Reg[] d) {
        Reg keep = d[0] == TMP2[0] ? TMP1[0] : TMP2[0];
        a.mv(keep, d[1]);
        bswap32(keep, 32);
        bswap32(d[0], 32);
        a.mv(d[1], d[0]);
        a.mv(d[0], keep);
    }

    private void alu64(int pc, InsnKind kind, boolean x, int dst, int src, short off, int imm) {
        Reg[] d = get(dst, TMP1);
        Reg[] s;
        if (kind == InsnKind.MOV || kind == InsnKind.MOVSX) {
            Reg[] t = target(dst, TMP1);
            if (kind == InsnKind.MOV && !x) {
                a.imm(t[0], imm);
                a.li(t[1], imm < 0 ? -1 : 0);
            } else {
                Reg[] v = get(src, TMP2);
                if (kind == InsnKind.MOV) {
                    a.mv(t[0], v[0]);
                    a.mv(t[1], v[1]);
                } else {
                    signExtend(t[0], v[0], off);
                    a.srai(t[1], t[0], 31);
                }
            }
            put(dst, t);
            return;
        }
        switch (kind) {
            case NEG -> neg64(d);
            case BSWAP -> {
                if (imm == 64) bswap64(d);
                else {
                    bswap32(d[0], imm);
                    a.li(d[1], 0);
                }
            }
            case LSH, RSH, ARSH -> {
                if (x) shiftReg(kind, d, src(src, dst)[0]);
                else shiftImm(kind, d, imm & 63);
            }
            default -> {
                s = x ? src(src, dst) : immPair(imm);
                switch (kind) {
                    case ADD -> {
                        a.add(d[0], d[0], s[0]);
                        a.emit(sltu(T0, d[0], s[0])); // carry
                        a.add(d[1], d[1], s[1]);
                        a.add(d[1], d[1], T0);
                    }
                    case SUB -> {
                        a.emit(sltu(T0, d[0], s[0])); // borrow
                        a.sub(d[0], d[0], s[0]);
                        a.sub(d[1], d[1], s[1]);
                        a.sub(d[1], d[1], T0);
                    }
                    case AND -> {
                        a.and(d[0], d[0], s[0]);
                        a.and(d[1], d[1], s[1]);
                    }
                    case OR -> {
                        a.or(d[0], d[0], s[0]);
                        a.or(d[1], d[1], s[1]);
                    }
                    case XOR -> {
                        a.xor(d[0], d[0], s[0]);
                        a.xor(d[1], d[1], s[1]);
                    }
                    case MUL -> {
                        a.emit(mul(T0, d[1], s[0]));
                        a.emit(mul(T1, d[0], s[1]));
                        a.add(T0, T0, T1);
                        a.emit(mulhu(T1, d[0], s[0]));
                        a.add(d[1], T0, T1);
                        a.emit(mul(d[0], d[0], s[0]));
                    }
                    case DIV, SDIV, MOD, SMOD -> divmod64(kind, d, s);
                    default -> throw new IllegalStateException("insn " + origin[pc] + ": " + kind + " is not a 64-bit ALU operation");
                }
            }
        }
        put(dst, d);
    }

    private void neg64(Reg[] d) {
        a.emit(sltu(T0, ZERO, d[0]));
        a.emit(RvAsm.sub(d[0], ZERO, d[0]));
        a.emit(RvAsm.sub(d[1], ZERO, d[1]));
        a.sub(d[1], d[1], T0);
    }

    private void shiftImm(InsnKind kind, Reg[] d, int k) {
        if (k == 0) return;
        switch (kind) {
            case LSH -> {
                if (k >= 32) {
                    if (k > 32) a.emit(RvAsm.slli(d[1], d[0], k - 32));
                    else a.mv(d[1], d[0]);
                    a.li(d[0], 0);
                } else {
                    a.emit(RvAsm.srli(T0, d[0], 32 - k));
                    a.slli(d[1], d[1], k);
                    a.or(d[1], d[1], T0);
                    a.slli(d[0], d[0], k);
                }
            }
            case RSH, ARSH -> {
                boolean arith = kind == InsnKind.ARSH;
                if (k >= 32) {
                    if (k > 32) a.emit(arith ? RvAsm.srai(d[0], d[1], k - 32) : RvAsm.srli(d[0], d[1], k - 32));
                    else a.mv(d[0], d[1]);
                    if (arith) a.srai(d[1], d[1], 31);
                    else a.li(d[1], 0);
                } else {
                    a.emit(RvAsm.slli(T0, d[1], 32 - k));
                    a.srli(d[0], d[0], k);
                    a.or(d[0], d[0], T0);
                    if (arith) a.srai(d[1], d[1], k);
                    else a.srli(d[1], d[1], k);
                }
            }
            default -> throw new IllegalStateException(kind + " is not a shift");
        }
    }

    /** 64-bit shift by a register (amount masked to 63 in T1... kept in t4 or t2). */
    private void shiftReg(InsnKind kind, Reg[] d, Reg amount) {
        Reg sh = d == TMP2 ? TMP1[0] : TMP2[0];
        a.andi(sh, amount, 63);
        Label small = b.newLabel();
        Label done = b.newLabel();
        a.addi(T0, sh, -32);
        a.branch(BLT, T0, ZERO, small);
        switch (kind) {
            case LSH -> {
                a.emit(sll(d[1], d[0], T0));
                a.li(d[0], 0);
            }
            case RSH -> {
                a.emit(srl(d[0], d[1], T0));
                a.li(d[1], 0);
            }
            default -> {
                a.emit(sra(d[0], d[1], T0));
                a.srai(d[1], d[1], 31);
            }
        }
        a.j(done);
        b.bind(small);
        a.li(T1, 31);
        a.sub(T1, T1, sh); // 31 - sh, so that the spill shift never reaches 32
        if (kind == InsnKind.LSH) {
            a.emit(RvAsm.srli(T0, d[0], 1));
            a.emit(srl(T0, T0, T1));
            a.emit(sll(d[1], d[1], sh));
            a.or(d[1], d[1], T0);
            a.emit(sll(d[0], d[0], sh));
        } else {
            a.emit(RvAsm.slli(T0, d[1], 1));
            a.emit(sll(T0, T0, T1));
            a.emit(srl(d[0], d[0], sh));
            a.or(d[0], d[0], T0);
            a.emit(kind == InsnKind.RSH ? srl(d[1], d[1], sh) : sra(d[1], d[1], sh));
        }
        b.bind(done);
    }

    /**
     * 64-bit division and modulo through the out-of-line routine: dividend in TMP1, divisor in
     * TMP2; quotient back in TMP1, remainder in TMP2. By zero: dst = 0 (div) or unchanged (mod).
     */
    private void divmod64(InsnKind kind, Reg[] d, Reg[] s) {
        boolean signed = kind == InsnKind.SDIV || kind == InsnKind.SMOD;
        boolean mod = kind == InsnKind.MOD || kind == InsnKind.SMOD;
        divUsed = true;
        Label done = b.newLabel();
        Label nonZero = b.newLabel();
        a.or(T0, s[0], s[1]);
        a.branch(BNE, T0, ZERO, nonZero);
        if (!mod) {
            a.li(d[0], 0);
            a.li(d[1], 0);
        }
        a.j(done);
        b.bind(nonZero);
        // Move into the routine's registers without overwriting an operand still to be read.
        if (s != TMP2) {
            a.mv(TMP2[0], s[0]);
            a.mv(TMP2[1], s[1]);
        }
        a.mv(TMP1[0], d[0]);
        a.mv(TMP1[1], d[1]);
        a.jal(RA, signed ? sdivmod : udivmod);
        Reg[] r = mod ? TMP2 : TMP1;
        a.mv(d[0], r[0]);
        a.mv(d[1], r[1]);
        b.bind(done);
    }

    /**
     * The division routine: shift-subtract over 64 bits, the quotient built in the dividend's
     * registers. The signed entry divides the magnitudes and gives the quotient the sign of
     * dividend xor divisor, the remainder the sign of the dividend (so LLONG_MIN / -1 is LLONG_MIN,
     * and its remainder 0). Preserves every BPF register; clobbers ra, t0, t1.
     */
    private void emitDivMod() {
        Reg nLo = TMP1[0], nHi = TMP1[1], dLo = TMP2[0], dHi = TMP2[1];
        Label common = b.newLabel();
        Label loop = b.newLabel();
        Label skip = b.newLabel();
        Label subtract = b.newLabel();
        b.bind(sdivmod);
        saveA0A3();
        a.emit(RvAsm.srli(A3, nHi, 31)); // bit 0: the remainder is negative
        a.emit(RvAsm.srli(T0, dHi, 31));
        a.xor(T0, T0, A3);
        a.slli(T0, T0, 1); // bit 1: the quotient is negative
        a.or(A3, A3, T0);
        Label nPos = b.newLabel();
        a.branch(BGE, nHi, ZERO, nPos);
        neg64(TMP1);
        b.bind(nPos);
        Label dPos = b.newLabel();
        a.branch(BGE, dHi, ZERO, dPos);
        neg64(TMP2);
        b.bind(dPos);
        a.j(common);
        b.bind(udivmod);
        saveA0A3();
        a.li(A3, 0);
        b.bind(common);
        a.li(A0, 0); // remainder a0:a1
        a.li(A1, 0);
        a.li(A2, 64);
        b.bind(loop);
        // r = r << 1 | n >> 63; n <<= 1
        a.emit(RvAsm.srli(T0, A0, 31));
        a.slli(A1, A1, 1);
        a.or(A1, A1, T0);
        a.slli(A0, A0, 1);
        a.emit(RvAsm.srli(T0, nHi, 31));
        a.or(A0, A0, T0);
        a.emit(RvAsm.srli(T0, nLo, 31));
        a.slli(nHi, nHi, 1);
        a.or(nHi, nHi, T0);
        a.slli(nLo, nLo, 1);
        // if (r >= d) { r -= d; n |= 1; }
        a.branch(BLTU, A1, dHi, skip);
        a.branch(BNE, A1, dHi, subtract);
        a.branch(BLTU, A0, dLo, skip);
        b.bind(subtract);
        a.emit(sltu(T0, A0, dLo));
        a.sub(A0, A0, dLo);
        a.sub(A1, A1, dHi);
        a.sub(A1, A1, T0);
        a.emit(ori(nLo, nLo, 1));
        b.bind(skip);
        a.addi(A2, A2, -1);
        a.branch(BNE, A2, ZERO, loop);
        Label qPos = b.newLabel();
        a.andi(T0, A3, 2);
        a.branch(BEQ, T0, ZERO, qPos);
        neg64(TMP1);
        b.bind(qPos);
        Label rPos = b.newLabel();
        a.andi(T0, A3, 1);
        a.branch(BEQ, T0, ZERO, rPos);
        neg64(new Reg[] {A0, A1});
        b.bind(rPos);
        a.mv(dLo, A0);
        a.mv(dHi, A1);
        for (int i = 0; i < 4; i++) a.load(4, true, Reg.x(A0.n() + i), SP, 4 * i);
        a.addi(SP, SP, 16);
        a.ret();
    }

    private void saveA0A3() {
        a.addi(SP, SP, -16);
        for (int i = 0; i < 4; i++) a.store(4, Reg.x(A0.n() + i), SP, 4 * i);
    }

    // ---- atomics: 32-bit only (RV32A has no 64-bit AMO or LR/SC) ----

    private void atomic(int pc, InsnKind kind, boolean w, int dst, int src, int off) {
        if (fwAtomics) {
            firmwareAtomic(kind, w, dst, src, off);
            return;
        }
        if (w) throw new IllegalStateException("insn " + origin[pc] + ": 64-bit atomic reached the rv32 code generator");
        Reg base = get(dst, TMP1)[0];
        Reg addr = base;
        if (off != 0) {
            if (isInt(off, 12)) a.addi(T1, base, off);
            else {
                a.imm(T1, off);
                a.add(T1, T1, base);
            }
            addr = T1;
        }
        Reg[] s = get(src, TMP2);
        switch (kind) {
            case ATOMIC_ADD -> a.emit(amo(AMO_ADD, false, false, ZERO, s[0], addr));
            case ATOMIC_OR -> a.emit(amo(AMO_OR, false, false, ZERO, s[0], addr));
            case ATOMIC_AND -> a.emit(amo(AMO_AND, false, false, ZERO, s[0], addr));
            case ATOMIC_XOR -> a.emit(amo(AMO_XOR, false, false, ZERO, s[0], addr));
            case ATOMIC_FETCH_ADD, ATOMIC_FETCH_OR, ATOMIC_FETCH_AND, ATOMIC_FETCH_XOR, ATOMIC_XCHG -> {
                int f5 = switch (kind) {
                    case ATOMIC_FETCH_ADD -> AMO_ADD;
                    case ATOMIC_FETCH_OR -> AMO_OR;
                    case ATOMIC_FETCH_AND -> AMO_AND;
                    case ATOMIC_FETCH_XOR -> AMO_XOR;
                    default -> AMO_SWAP;
                };
                a.emit(amo(f5, false, true, s[0], s[0], addr));
                a.li(s[1], 0);
                put(src, s);
            }
            case ATOMIC_CMPXCHG -> {
                Reg[] r0 = target(0, TMP1);
                Label loop = b.newLabel();
                Label done = b.newLabel();
                b.bind(loop);
                a.emit(lr(false, T0, addr, true));
                a.branch(BNE, T0, r0[0], done);
                a.emit(sc(false, T3, s[0], addr, true));
                a.branch(BNE, T3, ZERO, loop);
                a.emit(fence_rw_rw());
                b.bind(done);
                a.mv(r0[0], T0);
                a.li(r0[1], 0);
                put(0, r0);
            }
            default -> throw new IllegalStateException(kind + " is not an atomic operation");
        }
    }

    /**
     * An atomic as a call to the firmware routine ({@link FirmwareAtomics}' register convention):
     * address in t0, operand in t2:t3, expected r0 in t4:t5, old value back in t2:t3; nothing
     * else changes, so no BPF register moves.
     */
    private void firmwareAtomic(InsnKind kind, boolean w, int dst, int src, int off) {
        Reg base = get(dst, TMP1)[0];
        if (off == 0) a.mv(T0, base);
        else if (isInt(off, 12)) a.addi(T0, base, off);
        else {
            a.imm(T0, off);
            a.add(T0, T0, base);
        }
        Reg[] s = get(src, TMP2);
        a.mv(TMP1[0], s[0]);
        a.mv(TMP1[1], s[1]);
        if (kind == InsnKind.ATOMIC_CMPXCHG) {
            a.mv(TMP2[0], MAP[0].lo);
            a.mv(TMP2[1], MAP[0].hi);
        }
        call(Symbol.runtime(FirmwareAtomics.symbol(kind, w)));
        switch (kind) {
            case ATOMIC_ADD, ATOMIC_OR, ATOMIC_AND, ATOMIC_XOR -> { }
            case ATOMIC_CMPXCHG -> put(0, TMP1);
            default -> put(src, TMP1);
        }
    }

    // ---- jumps, calls, exit ----

    private void jmp(int pc, int end, InsnKind kind, boolean w, boolean x, int dst, int src, short off, int imm) {
        switch (kind) {
            case JA, GOTOL -> {
                int t = pc + 1 + (kind == InsnKind.JA ? off : imm);
                if (t != pc + 1) a.j(insnLabel[t]);
                return;
            }
            case EXIT -> {
                if (pc != end - 1) a.j(epilogue[funcOf[pc]]);
                return;
            }
            case CALL_HELPER -> {
                if (imm == BPF_FUNC_TAIL_CALL) tailCall(pc);
                else helperCall(pc, imm);
                return;
            }
            case CALL_LOCAL -> {
                int t = pc + 1 + imm;
                a.load(4, true, T0, CTX, HostAbi.CALL_DEPTH);
                a.li(T1, HostAbi.MAX_CALL_FRAMES - 1);
                a.branch(BGEU, T0, T1, fault(pc, HostAbi.E2BIG));
                a.addi(T0, T0, 1);
                a.store(4, T0, CTX, HostAbi.CALL_DEPTH);
                a.jal(RA, funcLabel[funcOf[t]]);
                a.load(4, true, T0, CTX, HostAbi.CALL_DEPTH);
                a.addi(T0, T0, -1);
                a.store(4, T0, CTX, HostAbi.CALL_DEPTH);
                return;
            }
            default -> { }
        }
        Reg[] d = get(dst, TMP1);
        Reg[] s;
        if (x) s = get(src, TMP2);
        else if (imm == 0) s = new Reg[] {ZERO, ZERO};
        else s = immPair(imm);
        Label t = insnLabel[pc + 1 + off];
        if (kind == InsnKind.JSET) {
            a.and(T0, d[0], s[0]);
            if (w) {
                a.and(T1, d[1], s[1]);
                a.or(T0, T0, T1);
            }
            a.branch(BNE, T0, ZERO, t);
            return;
        }
        if (!w) {
            cond(kind, d[0], s[0], t, false);
            return;
        }
        Reg dl = d[0], dh = d[1], sl = s[0], sh = s[1];
        switch (kind) {
            case JEQ -> {
                Label skip = b.newLabel();
                a.branch(BNE, dh, sh, skip);
                a.branch(BEQ, dl, sl, t);
                b.bind(skip);
            }
            case JNE -> {
                a.branch(BNE, dh, sh, t);
                a.branch(BNE, dl, sl, t);
            }
            default -> {
                // High halves decide unless equal (signed or unsigned as the jump), then the low halves unsigned.
                Label skip = b.newLabel();
                boolean signed = kind == InsnKind.JSGT || kind == InsnKind.JSGE || kind == InsnKind.JSLT || kind == InsnKind.JSLE;
                int lt = signed ? BLT : BLTU;
                boolean greater = kind == InsnKind.JGT || kind == InsnKind.JGE || kind == InsnKind.JSGT || kind == InsnKind.JSGE;
                if (greater) a.branch(lt, sh, dh, t);
                else a.branch(lt, dh, sh, t);
                a.branch(BNE, dh, sh, skip);
                InsnKind low = switch (kind) {
                    case JSGT -> InsnKind.JGT;
                    case JSGE -> InsnKind.JGE;
                    case JSLT -> InsnKind.JLT;
                    case JSLE -> InsnKind.JLE;
                    default -> kind;
                };
                cond(low, dl, sl, t, true);
                b.bind(skip);
            }
        }
    }

    /** One 32-bit compare-and-branch. */
    private void cond(InsnKind kind, Reg rd, Reg rs, Label t, boolean lowHalf) {
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

    static final int BPF_FUNC_TAIL_CALL = 12;

    /** r1..r4 are a0:a1..a6:a7 and r5 is at sp+0: the C ABI's places for five 64-bit arguments. */
    private void helperCall(int pc, int id) {
        call(Symbol.helper(id));
        a.mv(S0, A0);
        a.mv(S1, A1);
        a.load(4, true, T0, CTX, HostAbi.ERROR);
        a.branch(BNE, T0, ZERO, fault(pc, 0));
    }

    /** {@code ulong bpf_tail_call(void *ctx, ulong prog_array, u64 index)}. */
    private void tailCall(int pc) {
        Label fallThrough = b.newLabel();
        a.store(4, A0, SP, SCRATCH);
        a.store(4, A1, SP, SCRATCH + 4);
        a.mv(A1, A2);
        a.mv(A2, A4);
        a.mv(A3, A5);
        a.mv(A0, CTX);
        call(Symbol.runtime(HostAbi.TAIL_CALL_SYMBOL));
        a.mv(T1, A0);
        a.load(4, true, A0, SP, SCRATCH);
        a.load(4, true, A1, SP, SCRATCH + 4);
        a.load(4, true, T0, CTX, HostAbi.ERROR);
        a.branch(BNE, T0, ZERO, fault(pc, 0));
        a.branch(BEQ, T1, ZERO, fallThrough);
        popFrame();
        a.addi(T1, T1, TAIL_CALL_OFFSET);
        a.jr(T1);
        b.bind(fallThrough);
    }
}
