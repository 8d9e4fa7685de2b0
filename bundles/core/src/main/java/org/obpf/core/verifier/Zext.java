package org.obpf.core.verifier;

import static org.obpf.api.insn.Opcodes.*;

import java.util.ArrayList;
import java.util.List;
import org.obpf.api.insn.DecodedInsn;
import org.obpf.api.insn.Insn;
import org.obpf.api.insn.InsnDecoder;
import org.obpf.api.insn.InsnKind;
import org.obpf.api.insn.InvalidInsnException;

/**
 * The kernel's {@code opt_subreg_zext_lo32_rnd_hi32} for back-ends whose {@code needsZext()} is
 * true: after every instruction that defines only the low 32 bits of a register (32-bit ALU,
 * narrow loads) and whose upper half some later instruction reads as 64 bits, an explicit
 * zero extension {@code w = w} is inserted. Jump and call offsets are adjusted. Run on a verified
 * program.
 *
 * <p>The kernel's {@code BPF_ZEXT_REG} marks its zero extension with imm 1 so JITs can recognise
 * it; OBPF inserts a plain {@code mov32 w, w} (imm 0) instead, because the marked form is refused
 * by {@link InsnDecoder} (as by the kernel's own checks) and later passes decode the program again.
 * A back-end recognises the inserted instruction as a 32-bit move with dst equal to src.
 */
public final class Zext {
    private Zext() {}

    /** The patched program and where each original slot went. */
    public record Patched(long[] prog, int[] newIndex, int inserted) {}

    /** The inserted zero extension: {@code w<reg> = w<reg>}. */
    public static long zextInsn(int reg) {
        return Insn.encode(BPF_ALU | BPF_MOV | BPF_X, reg, reg, 0, 0);
    }

    public static Patched insert(long[] prog) throws InvalidInsnException {
        List<DecodedInsn> decoded = InsnDecoder.decode(prog);
        int n = prog.length;
        DecodedInsn[] insns = new DecodedInsn[n];
        for (DecodedInsn d : decoded) insns[d.index()] = d;
        int[] hi = upperLive(insns);
        boolean[] zext = new boolean[n];
        for (DecodedInsn d : decoded) {
            if (!Liveness.defines32(d)) continue;
            // Already a zero extension (w = w): nothing to add.
            if (d.kind() == InsnKind.MOV && d.srcIsReg() && d.dst() == d.src()) continue;
            int out = 0;
            for (int s : Liveness.successors(d)) if (s < n) out |= hi[s];
            if ((out & (1 << d.dst())) != 0) zext[d.index()] = true;
        }
        int[] newIndex = new int[n + 1];
        int added = 0;
        for (int pc = 0; pc < n; pc++) {
            newIndex[pc] = pc + added;
            if (zext[pc]) added++;
        }
        newIndex[n] = n + added;
        long[] out = new long[n + added];
        for (int pc = 0; pc < n; pc++) {
            long w = prog[pc];
            DecodedInsn d = insns[pc];
            if (d != null) {
                int np = newIndex[pc];
                switch (d.kind()) {
                    case GOTOL, CALL_LOCAL -> w = Insn.withImm(w, newIndex[d.target()] - np - 1);
                    case LD_IMM64 -> {
                        if (d.src() == BPF_PSEUDO_FUNC) w = Insn.withImm(w, newIndex[Verifier.funcTarget(d)] - np - 1);
                    }
                    default -> {
                        if (d.kind().group() == InsnKind.Group.JMP) {
                            int off = newIndex[d.target()] - np - 1;
                            w = (w & ~0xffff0000L) | (off & 0xffffL) << 16;
                        }
                    }
                }
            }
            out[newIndex[pc]] = w;
            if (zext[pc]) out[newIndex[pc] + 1] = zextInsn(d.dst());
        }
        return new Patched(out, newIndex, added);
    }

    /** Backward dataflow: registers whose upper 32 bits some path reads before redefining them. */
    static int[] upperLive(DecodedInsn[] insns) {
        int n = insns.length;
        int[] in = new int[n];
        boolean changed = true;
        while (changed) {
            changed = false;
            for (int pc = n - 1; pc >= 0; pc--) {
                DecodedInsn d = insns[pc];
                if (d == null) continue;
                int out = 0;
                for (int s : Liveness.successors(d)) if (s < n) out |= in[s];
                int use = 0;
                for (int r = 0; r < 11; r++) if (Liveness.reads64(d, r)) use |= 1 << r;
                if (d.kind() == InsnKind.CALL_LOCAL) use |= Liveness.ARGS; // the callee may read them as 64-bit
                int v = use | (out & ~Liveness.defs(d));
                if (v != in[pc]) {
                    in[pc] = v;
                    changed = true;
                }
            }
        }
        return in;
    }
}
