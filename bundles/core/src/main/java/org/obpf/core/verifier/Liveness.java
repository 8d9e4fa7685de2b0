package org.obpf.core.verifier;

import static org.obpf.api.insn.Opcodes.*;

import org.obpf.api.insn.DecodedInsn;
import org.obpf.api.insn.InsnKind;

/**
 * Static register liveness: for each instruction, the registers some path from it reads before
 * writing them. State pruning compares only these (the kernel learns the same from read marks
 * during verification). Calls are opaque: a call reads R1-R5 and writes R0-R5; each sub-program
 * is analysed on its own, as its instructions flow only to each other.
 */
final class Liveness {
    private Liveness() {}

    static final int ARGS = 0b111110;
    static final int CALLER_SAVED = 0b111111;

    /** Bit r of {@code uses(d)} set when the instruction reads register r. */
    static int uses(DecodedInsn d) {
        int dst = 1 << d.dst();
        int src = 1 << d.src();
        return switch (d.kind().group()) {
            case ALU -> switch (d.kind()) {
                case MOV, MOVSX -> d.srcIsReg() ? src : 0;
                case NEG, LE, BE, BSWAP -> dst;
                default -> dst | (d.srcIsReg() ? src : 0);
            };
            case JMP -> d.kind().isConditionalJump() ? dst | (d.srcIsReg() ? src : 0) : 0;
            case CALL -> ARGS;
            case EXIT -> 1;
            case LD_IMM64 -> 0;
            case LD_PACKET -> (1 << 6) | (d.kind() == InsnKind.LD_IND ? src : 0);
            case LOAD -> src;
            case STORE -> d.kind() == InsnKind.STX ? dst | src : dst;
            case ATOMIC -> dst | src | (d.kind() == InsnKind.ATOMIC_CMPXCHG ? 1 : 0);
        };
    }

    /** Registers the instruction writes (or clobbers). */
    static int defs(DecodedInsn d) {
        return switch (d.kind().group()) {
            case ALU, LD_IMM64, LOAD -> 1 << d.dst();
            case CALL, LD_PACKET -> CALLER_SAVED;
            case ATOMIC -> d.kind() == InsnKind.ATOMIC_CMPXCHG ? 1 : d.kind().isFetch() ? 1 << d.src() : 0;
            default -> 0;
        };
    }

    /** Successor slots within the sub-program. */
    static int[] successors(DecodedInsn d) {
        int pc = d.index();
        return switch (d.kind()) {
            case EXIT -> new int[0];
            case JA, GOTOL -> new int[] {d.target()};
            case LD_IMM64 -> new int[] {pc + 2};
            default -> d.kind().isConditionalJump() ? new int[] {pc + 1, d.target()} : new int[] {pc + 1};
        };
    }

    static int[] liveIn(DecodedInsn[] insns) {
        int n = insns.length;
        int[] in = new int[n];
        int[][] succ = new int[n][];
        int[] use = new int[n];
        int[] def = new int[n];
        for (int pc = 0; pc < n; pc++) {
            if (insns[pc] == null) continue;
            succ[pc] = successors(insns[pc]);
            use[pc] = uses(insns[pc]);
            def[pc] = defs(insns[pc]);
        }
        boolean changed = true;
        while (changed) {
            changed = false;
            for (int pc = n - 1; pc >= 0; pc--) {
                if (insns[pc] == null) continue;
                int out = 0;
                for (int s : succ[pc]) if (s < n) out |= in[s];
                int v = use[pc] | (out & ~def[pc]);
                if (v != in[pc]) {
                    in[pc] = v;
                    changed = true;
                }
            }
        }
        return in;
    }

    /** Whether the instruction reads register r as a whole 64-bit value (not only its low half). */
    static boolean reads64(DecodedInsn d, int r) {
        if ((uses(d) & (1 << r)) == 0) return false;
        return switch (d.kind().group()) {
            case ALU -> d.bpfClass() == BPF_ALU64 || wideEnd(d);
            case JMP -> d.bpfClass() == BPF_JMP;
            // A narrow store reads only the low bits of its value; the address is always 64-bit.
            case STORE -> !(d.kind() == InsnKind.STX && r == d.src() && r != d.dst() && d.sizeBytes() < 8);
            case ATOMIC -> !(r == d.src() && r != d.dst() && d.sizeBytes() < 8)
                    && !(r == 0 && d.kind() == InsnKind.ATOMIC_CMPXCHG && d.sizeBytes() < 8);
            default -> true;
        };
    }

    /** Whether the instruction writes only the low 32 bits of its destination (a 32-bit sub-register def). */
    static boolean defines32(DecodedInsn d) {
        return switch (d.kind().group()) {
            case ALU -> d.bpfClass() == BPF_ALU && !wideEnd(d);
            case LOAD -> d.kind() == InsnKind.LDX && d.sizeBytes() < 8;
            default -> false;
        };
    }

    /**
     * {@code le64}/{@code be64}: class BPF_ALU, yet they read and write all 64 bits (the kernel's
     * {@code is_reg64} says so too).
     */
    static boolean wideEnd(DecodedInsn d) {
        return (d.kind() == InsnKind.LE || d.kind() == InsnKind.BE) && d.imm() == 64;
    }
}
