package org.obpf.api.insn;

import static org.obpf.api.insn.Opcodes.*;

/**
 * What an instruction does, one constant per operation of RFC 9669 (the width - 32 or 64 bits,
 * or the access size - and the operand source are kept in the opcode, see {@link DecodedInsn}).
 * {@link #of(long)} classifies a slot without allocating, so interpreters and tools can switch
 * on it directly.
 */
public enum InsnKind {
    // Arithmetic: BPF_ALU (32-bit) and BPF_ALU64.
    ADD(Group.ALU, CpuVersion.V1, "add"),
    SUB(Group.ALU, CpuVersion.V1, "sub"),
    MUL(Group.ALU, CpuVersion.V1, "mul"),
    DIV(Group.ALU, CpuVersion.V1, "div"),
    /** BPF_DIV with off = 1. */
    SDIV(Group.ALU, CpuVersion.V4, "sdiv"),
    OR(Group.ALU, CpuVersion.V1, "or"),
    AND(Group.ALU, CpuVersion.V1, "and"),
    LSH(Group.ALU, CpuVersion.V1, "lsh"),
    RSH(Group.ALU, CpuVersion.V1, "rsh"),
    NEG(Group.ALU, CpuVersion.V1, "neg"),
    MOD(Group.ALU, CpuVersion.V1, "mod"),
    /** BPF_MOD with off = 1. */
    SMOD(Group.ALU, CpuVersion.V4, "smod"),
    XOR(Group.ALU, CpuVersion.V1, "xor"),
    MOV(Group.ALU, CpuVersion.V1, "mov"),
    /** BPF_MOV | BPF_X with off = 8, 16 (or 32 in ALU64): sign-extend the low off bits of src. */
    MOVSX(Group.ALU, CpuVersion.V4, "movsx"),
    ARSH(Group.ALU, CpuVersion.V1, "arsh"),
    /** BPF_ALU | BPF_END | BPF_TO_LE: convert to little endian, imm = 16, 32 or 64 bits. */
    LE(Group.ALU, CpuVersion.V1, "le"),
    /** BPF_ALU | BPF_END | BPF_TO_BE: convert to big endian. */
    BE(Group.ALU, CpuVersion.V1, "be"),
    /** BPF_ALU64 | BPF_END | BPF_TO_LE: unconditional byte swap. */
    BSWAP(Group.ALU, CpuVersion.V4, "bswap"),

    // Jumps: BPF_JMP (64-bit compare) and BPF_JMP32.
    /** BPF_JMP | BPF_JA: 16-bit offset in off. */
    JA(Group.JMP, CpuVersion.V1, "ja"),
    /** BPF_JMP32 | BPF_JA ("gotol"): 32-bit offset in imm. */
    GOTOL(Group.JMP, CpuVersion.V4, "gotol"),
    JEQ(Group.JMP, CpuVersion.V1, "jeq"),
    JGT(Group.JMP, CpuVersion.V1, "jgt"),
    JGE(Group.JMP, CpuVersion.V1, "jge"),
    JSET(Group.JMP, CpuVersion.V1, "jset"),
    JNE(Group.JMP, CpuVersion.V1, "jne"),
    JSGT(Group.JMP, CpuVersion.V1, "jsgt"),
    JSGE(Group.JMP, CpuVersion.V1, "jsge"),
    JLT(Group.JMP, CpuVersion.V2, "jlt"),
    JLE(Group.JMP, CpuVersion.V2, "jle"),
    JSLT(Group.JMP, CpuVersion.V2, "jslt"),
    JSLE(Group.JMP, CpuVersion.V2, "jsle"),
    /** BPF_CALL with src 0: helper function by number (imm). */
    CALL_HELPER(Group.CALL, CpuVersion.V1, "call"),
    /** BPF_CALL with src BPF_PSEUDO_CALL: BPF-to-BPF call, imm = pc-relative target. */
    CALL_LOCAL(Group.CALL, CpuVersion.V1, "call local"),
    /** BPF_CALL with src BPF_PSEUDO_KFUNC_CALL: kernel function by BTF id (imm), off = BTF fd index. */
    CALL_KFUNC(Group.CALL, CpuVersion.V1, "call kfunc"),
    EXIT(Group.EXIT, CpuVersion.V1, "exit"),

    // Loads and stores.
    /** BPF_LD | BPF_IMM | BPF_DW: two slots, the pseudo source kind in src. */
    LD_IMM64(Group.LD_IMM64, CpuVersion.V1, "lddw"),
    /** Legacy packet load BPF_LD | BPF_ABS: r0 = ntoh(*(size *)(skb->data + imm)). */
    LD_ABS(Group.LD_PACKET, CpuVersion.V1, "ldabs"),
    /** Legacy packet load BPF_LD | BPF_IND: r0 = ntoh(*(size *)(skb->data + src + imm)). */
    LD_IND(Group.LD_PACKET, CpuVersion.V1, "ldind"),
    /** BPF_LDX | BPF_MEM: dst = *(size *)(src + off), zero-extended. */
    LDX(Group.LOAD, CpuVersion.V1, "ldx"),
    /** BPF_LDX | BPF_MEMSX: dst = *(ssize *)(src + off), sign-extended. */
    LDXSX(Group.LOAD, CpuVersion.V4, "ldxs"),
    /** BPF_ST | BPF_MEM: *(size *)(dst + off) = imm. */
    ST(Group.STORE, CpuVersion.V1, "st"),
    /** BPF_STX | BPF_MEM: *(size *)(dst + off) = src. */
    STX(Group.STORE, CpuVersion.V1, "stx"),

    // BPF_STX | BPF_ATOMIC, the operation in imm; W or DW.
    ATOMIC_ADD(Group.ATOMIC, CpuVersion.V1, "add"),
    ATOMIC_OR(Group.ATOMIC, CpuVersion.V3, "or"),
    ATOMIC_AND(Group.ATOMIC, CpuVersion.V3, "and"),
    ATOMIC_XOR(Group.ATOMIC, CpuVersion.V3, "xor"),
    ATOMIC_FETCH_ADD(Group.ATOMIC, CpuVersion.V3, "fetch add"),
    ATOMIC_FETCH_OR(Group.ATOMIC, CpuVersion.V3, "fetch or"),
    ATOMIC_FETCH_AND(Group.ATOMIC, CpuVersion.V3, "fetch and"),
    ATOMIC_FETCH_XOR(Group.ATOMIC, CpuVersion.V3, "fetch xor"),
    /** Exchange: src = xchg(*(dst + off), src). */
    ATOMIC_XCHG(Group.ATOMIC, CpuVersion.V3, "xchg"),
    /** Compare and exchange: r0 = cmpxchg(*(dst + off), r0, src). */
    ATOMIC_CMPXCHG(Group.ATOMIC, CpuVersion.V3, "cmpxchg");

    /** Families of operations that share operand shapes. */
    public enum Group { ALU, JMP, CALL, EXIT, LD_IMM64, LD_PACKET, LOAD, STORE, ATOMIC }

    private final Group group;
    private final CpuVersion cpu;
    private final String mnemonic;

    InsnKind(Group group, CpuVersion cpu, String mnemonic) {
        this.group = group;
        this.cpu = cpu;
        this.mnemonic = mnemonic;
    }

    public Group group() { return group; }

    /** The oldest {@code -mcpu} level that has this operation (JMP32 forms need v3 on their own, see {@link DecodedInsn#cpu()}). */
    public CpuVersion cpu() { return cpu; }

    /** A short name for the operation (the conformance assembler's stem, without width suffix). */
    public String mnemonic() { return mnemonic; }

    /** True for the conditional jumps {@code jeq .. jsle}. */
    public boolean isConditionalJump() {
        return group == Group.JMP && this != JA && this != GOTOL;
    }

    /** True for the atomic operations that write the old value back to a register. */
    public boolean isFetch() {
        return group == Group.ATOMIC && ordinal() >= ATOMIC_FETCH_ADD.ordinal();
    }

    /**
     * Classifies one slot from its opcode and the fields that select the operation (off for
     * division, modulo and moves, src for calls, imm for byte swaps and atomics). Registers and
     * reserved fields are not checked here: that is {@link InsnDecoder}'s job.
     *
     * @return the operation, or null when the opcode (with those fields) is not an instruction
     */
    public static InsnKind of(long word) {
        int code = Insn.code(word);
        int cls = bpfClass(code);
        return switch (cls) {
            case BPF_ALU, BPF_ALU64 -> alu(code, cls, Insn.off(word), Insn.imm(word));
            case BPF_JMP, BPF_JMP32 -> jmp(code, cls, Insn.src(word));
            case BPF_LD -> switch (bpfMode(code)) {
                case BPF_IMM -> bpfSize(code) == BPF_DW ? LD_IMM64 : null;
                case BPF_ABS -> bpfSize(code) != BPF_DW ? LD_ABS : null;
                case BPF_IND -> bpfSize(code) != BPF_DW ? LD_IND : null;
                default -> null;
            };
            case BPF_LDX -> switch (bpfMode(code)) {
                case BPF_MEM -> LDX;
                case BPF_MEMSX -> bpfSize(code) != BPF_DW ? LDXSX : null;
                default -> null;
            };
            case BPF_ST -> bpfMode(code) == BPF_MEM ? ST : null;
            default -> switch (bpfMode(code)) { // BPF_STX
                case BPF_MEM -> STX;
                case BPF_ATOMIC -> bpfSize(code) == BPF_W || bpfSize(code) == BPF_DW ? atomic(Insn.imm(word)) : null;
                default -> null;
            };
        };
    }

    private static InsnKind alu(int code, int cls, short off, int imm) {
        int op = bpfOp(code);
        return switch (op) {
            case BPF_DIV -> off == 1 ? SDIV : DIV;
            case BPF_MOD -> off == 1 ? SMOD : MOD;
            case BPF_MOV -> off != 0 && bpfSrc(code) == BPF_X ? MOVSX : MOV;
            case BPF_NEG -> bpfSrc(code) == BPF_K ? NEG : null;
            case BPF_END -> cls == BPF_ALU ? (bpfSrc(code) == BPF_TO_BE ? BE : LE)
                    : bpfSrc(code) == BPF_TO_LE ? BSWAP : null;
            case BPF_ADD -> ADD;
            case BPF_SUB -> SUB;
            case BPF_MUL -> MUL;
            case BPF_OR -> OR;
            case BPF_AND -> AND;
            case BPF_LSH -> LSH;
            case BPF_RSH -> RSH;
            case BPF_XOR -> XOR;
            case BPF_ARSH -> ARSH;
            default -> null; // 0xe0 and 0xf0 are unassigned
        };
    }

    private static InsnKind jmp(int code, int cls, int src) {
        boolean jmp64 = cls == BPF_JMP;
        return switch (bpfOp(code)) {
            case BPF_JA -> bpfSrc(code) != BPF_K ? null : jmp64 ? JA : GOTOL;
            case BPF_JEQ -> JEQ;
            case BPF_JGT -> JGT;
            case BPF_JGE -> JGE;
            case BPF_JSET -> JSET;
            case BPF_JNE -> JNE;
            case BPF_JSGT -> JSGT;
            case BPF_JSGE -> JSGE;
            case BPF_JLT -> JLT;
            case BPF_JLE -> JLE;
            case BPF_JSLT -> JSLT;
            case BPF_JSLE -> JSLE;
            case BPF_CALL -> !jmp64 || bpfSrc(code) != BPF_K ? null : switch (src) {
                case BPF_HELPER_CALL -> CALL_HELPER;
                case BPF_PSEUDO_CALL -> CALL_LOCAL;
                case BPF_PSEUDO_KFUNC_CALL -> CALL_KFUNC;
                default -> null;
            };
            case BPF_EXIT -> jmp64 && bpfSrc(code) == BPF_K ? EXIT : null;
            default -> null; // 0xe0 (BPF_JCOND, may_goto) and 0xf0 are not RFC 9669 instructions
        };
    }

    private static InsnKind atomic(int imm) {
        return switch (imm) {
            case BPF_ADD -> ATOMIC_ADD;
            case BPF_OR -> ATOMIC_OR;
            case BPF_AND -> ATOMIC_AND;
            case BPF_XOR -> ATOMIC_XOR;
            case BPF_ADD | BPF_FETCH -> ATOMIC_FETCH_ADD;
            case BPF_OR | BPF_FETCH -> ATOMIC_FETCH_OR;
            case BPF_AND | BPF_FETCH -> ATOMIC_FETCH_AND;
            case BPF_XOR | BPF_FETCH -> ATOMIC_FETCH_XOR;
            case BPF_XCHG -> ATOMIC_XCHG;
            case BPF_CMPXCHG -> ATOMIC_CMPXCHG;
            default -> null;
        };
    }
}
