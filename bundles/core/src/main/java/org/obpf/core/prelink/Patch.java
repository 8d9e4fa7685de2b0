package org.obpf.core.prelink;

import static org.obpf.api.insn.Opcodes.*;

import java.util.Map;
import org.obpf.api.BpfException;
import org.obpf.api.Errno;
import org.obpf.api.insn.Insn;
import org.obpf.api.insn.InsnKind;

/**
 * Replaces single instruction slots with sequences and moves every jump, BPF-to-BPF call and
 * callback reference so that it still reaches its instruction: the kernel's
 * {@code bpf_patch_insn_data} with {@code bpf_adjust_branches}. A jump to a replaced slot lands on
 * the start of its sequence; jumps inside a sequence are relative to it and stay as they are.
 */
final class Patch {
    private Patch() {}

    /** @return the new slots; {@code origin[newIndex]} is filled with the old slot each new slot came from */
    static long[] apply(long[] insns, Map<Integer, long[]> replacements, int[] originOut) throws BpfException {
        int n = insns.length;
        int[] newPos = new int[n + 1];
        int pos = 0;
        for (int i = 0; i < n; i++) {
            newPos[i] = pos;
            long[] r = replacements.get(i);
            pos += r == null ? 1 : r.length;
        }
        newPos[n] = pos;
        long[] out = new long[pos];
        for (int i = 0; i < n; i++) {
            long[] r = replacements.get(i);
            if (r != null) {
                System.arraycopy(r, 0, out, newPos[i], r.length);
                if (originOut != null) for (int j = 0; j < r.length; j++) originOut[newPos[i] + j] = i;
                continue;
            }
            long w = insns[i];
            if (originOut != null) originOut[newPos[i]] = i;
            InsnKind kind = InsnKind.of(w);
            if (kind == InsnKind.LD_IMM64) {
                if (Insn.src(w) == BPF_PSEUDO_FUNC) w = Insn.withImm(w, rel(i, i + 1 + Insn.imm(w), newPos, false));
                out[newPos[i]] = w;
                out[newPos[i] + 1] = insns[i + 1];
                if (originOut != null) originOut[newPos[i] + 1] = i + 1;
                i++;
                continue;
            }
            if (kind != null && kind.group() == InsnKind.Group.JMP) {
                if (kind == InsnKind.GOTOL) {
                    w = Insn.withImm(w, rel(i, i + 1 + Insn.imm(w), newPos, false));
                } else {
                    int off = rel(i, i + 1 + Insn.off(w), newPos, true);
                    w = (w & ~0xffff0000L) | (off & 0xffffL) << 16;
                }
            } else if (kind == InsnKind.CALL_LOCAL) {
                w = Insn.withImm(w, rel(i, i + 1 + Insn.imm(w), newPos, false));
            }
            out[newPos[i]] = w;
        }
        return out;
    }

    private static int rel(int from, int target, int[] newPos, boolean sixteenBits) throws BpfException {
        int r = newPos[target] - newPos[from] - 1;
        if (sixteenBits && (r < Short.MIN_VALUE || r > Short.MAX_VALUE)) {
            throw new BpfException(Errno.ERANGE, "insn " + from + ": jump offset " + r + " out of range after patching");
        }
        return r;
    }
}
