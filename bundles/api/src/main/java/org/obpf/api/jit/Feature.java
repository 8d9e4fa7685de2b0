package org.obpf.api.jit;

import static org.obpf.api.insn.Opcodes.*;

import java.util.EnumSet;
import java.util.Set;
import org.obpf.api.insn.Insn;

/**
 * Instruction-set features a back-end or device may or may not support. Every instruction
 * needs one or more of them ({@link #required(long)}); a back-end's {@link Capabilities} lists
 * those it compiles, which is how the offload query explains a refusal instruction by instruction.
 */
public enum Feature {
    ALU32("32-bit arithmetic"),
    ALU64("64-bit arithmetic"),
    MUL("multiplication"),
    DIV("unsigned division and modulo"),
    SDIV("signed division and modulo (cpu v4)"),
    MOVSX("sign-extending move (cpu v4)"),
    BYTESWAP("le/be byte swap"),
    BSWAP("unconditional byte swap (cpu v4)"),
    JMP("64-bit conditional jumps"),
    JMP32("32-bit conditional jumps (cpu v3)"),
    GOTOL("gotol, 32-bit jump offset (cpu v4)"),
    LD_IMM64("16-byte immediate load"),
    LOAD("memory loads"),
    STORE("memory stores"),
    LDSX("sign-extending loads (cpu v4)"),
    ATOMIC32("32-bit atomic operations"),
    ATOMIC64("64-bit atomic operations"),
    ATOMIC_FETCH("atomic fetch and exchange (cpu v3)"),
    CMPXCHG("atomic compare-and-exchange (cpu v3)"),
    HELPER_CALL("helper calls"),
    TAIL_CALL("tail calls"),
    BPF_TO_BPF_CALL("BPF-to-BPF calls"),
    KFUNC_CALL("kernel function calls"),
    LD_ABS_IND("legacy packet loads (LD_ABS/LD_IND)");

    private final String description;

    Feature(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }

    /**
     * The features one instruction slot needs. Unknown encodings need nothing here: the decoder
     * refuses them before any back-end sees them. The second slot of {@code lddw} needs nothing.
     */
    public static Set<Feature> required(long word) {
        int code = Insn.code(word);
        int op = bpfOp(code);
        EnumSet<Feature> f = EnumSet.noneOf(Feature.class);
        switch (bpfClass(code)) {
            case BPF_ALU, BPF_ALU64 -> {
                boolean wide = bpfClass(code) == BPF_ALU64;
                f.add(wide ? ALU64 : ALU32);
                short off = Insn.off(word);
                switch (op) {
                    case BPF_MUL -> f.add(MUL);
                    case BPF_DIV, BPF_MOD -> f.add(off == 1 ? SDIV : DIV);
                    case BPF_MOV -> { if (off != 0) f.add(MOVSX); }
                    case BPF_END -> f.add(wide ? BSWAP : BYTESWAP);
                    default -> { }
                }
            }
            case BPF_JMP, BPF_JMP32 -> {
                boolean j32 = bpfClass(code) == BPF_JMP32;
                switch (op) {
                    case BPF_CALL -> {
                        int src = Insn.src(word);
                        if (src == BPF_PSEUDO_CALL) f.add(BPF_TO_BPF_CALL);
                        else if (src == BPF_PSEUDO_KFUNC_CALL) f.add(KFUNC_CALL);
                        else if (Insn.imm(word) == 12) f.add(TAIL_CALL); // BPF_FUNC_tail_call
                        else f.add(HELPER_CALL);
                    }
                    case BPF_EXIT -> { }
                    case BPF_JA -> { if (j32) f.add(GOTOL); }
                    default -> f.add(j32 ? JMP32 : JMP);
                }
            }
            case BPF_LD -> {
                int mode = bpfMode(code);
                if (mode == BPF_ABS || mode == BPF_IND) f.add(LD_ABS_IND);
                else if (isLdImm64(code)) f.add(LD_IMM64);
            }
            case BPF_LDX -> f.add(bpfMode(code) == BPF_MEMSX ? LDSX : LOAD);
            case BPF_ST -> f.add(STORE);
            case BPF_STX -> {
                if (bpfMode(code) == BPF_ATOMIC) {
                    f.add(bpfSize(code) == BPF_DW ? ATOMIC64 : ATOMIC32);
                    int aop = Insn.imm(word);
                    if (aop == BPF_CMPXCHG) f.add(CMPXCHG);
                    else if ((aop & BPF_FETCH) != 0) f.add(ATOMIC_FETCH);
                } else {
                    f.add(STORE);
                }
            }
            default -> { }
        }
        return f;
    }
}
