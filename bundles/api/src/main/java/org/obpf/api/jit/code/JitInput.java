package org.obpf.api.jit.code;

import static org.obpf.api.insn.Opcodes.BPF_PSEUDO_FUNC;
import static org.obpf.api.insn.Opcodes.BPF_PSEUDO_MAP_IDX;
import static org.obpf.api.insn.Opcodes.BPF_PSEUDO_MAP_IDX_VALUE;

import java.security.SecureRandom;
import java.util.TreeSet;
import org.obpf.api.insn.Insn;
import org.obpf.api.insn.InsnDecoder;
import org.obpf.api.insn.InsnKind;
import org.obpf.api.insn.InvalidInsnException;
import org.obpf.api.jit.CompileRequest;
import org.obpf.api.jit.JitException;

/**
 * A compile request made ready for a back-end's translator, the same way for every arch: the
 * program validated, its sub-program starts (declared ones, BPF-to-BPF call targets and, where
 * the back-end takes them, callback targets of {@code lddw BPF_PSEUDO_FUNC}), and constants
 * blinded when the options ask for it, with {@code BPF_PSEUDO_FUNC} offsets re-aimed.
 *
 * @param code     the instructions to translate (blinded or not)
 * @param origin   for each slot of {@code code}, the slot of the request it came from
 * @param starts   sub-program starts in {@code code}, sorted, the first 0
 * @param newIndex for each slot of the request (and one past the end), its slot in {@code code};
 *                 null when not blinded
 */
public record JitInput(long[] code, int[] origin, int[] starts, int[] newIndex) {
    private static final SecureRandom KEYS = new SecureRandom();

    /**
     * @param callbacks whether the back-end compiles {@code lddw BPF_PSEUDO_FUNC} (callback
     *                  addresses); if not, such loads are refused like other unresolved pseudo loads
     */
    public static JitInput prepare(String arch, CompileRequest req, boolean callbacks) throws JitException {
        long[] insns = req.insns();
        try {
            InsnDecoder.validate(insns);
        } catch (InvalidInsnException e) {
            throw new JitException(arch, e.index(), e.reason());
        }
        TreeSet<Integer> startSet = new TreeSet<>();
        for (int s : req.subprogStarts()) {
            if (s < 0 || s >= insns.length) throw new JitException(arch, -1, "sub-program start " + s + " outside the program");
            startSet.add(s);
        }
        for (int pc = 0; pc < insns.length; pc++) {
            long w = insns[pc];
            switch (InsnKind.of(w)) {
                case LD_ABS, LD_IND -> throw new JitException(arch, pc, "legacy packet loads (BPF_ABS/BPF_IND) are not supported: they need a socket buffer context");
                case CALL_KFUNC -> throw new JitException(arch, pc, "kfunc calls are not supported");
                case CALL_LOCAL -> startSet.add(pc + 1 + Insn.imm(w));
                case LD_IMM64 -> {
                    int src = Insn.src(w);
                    if (src == BPF_PSEUDO_FUNC && callbacks) {
                        int target = pc + 1 + Insn.imm(w);
                        if (target <= 0 || target >= insns.length) {
                            throw new JitException(arch, pc, "callback target " + target + " outside the program");
                        }
                        startSet.add(target);
                    } else if (src != 0 && src != BPF_PSEUDO_MAP_IDX && src != BPF_PSEUDO_MAP_IDX_VALUE) {
                        throw new JitException(arch, pc, "lddw with pseudo source " + src
                                + " must be resolved by the prelink passes before code generation");
                    }
                    pc++;
                }
                default -> { }
            }
        }
        int[] starts = startSet.stream().mapToInt(Integer::intValue).toArray();
        int n = insns.length;
        int[] origin = new int[n];
        for (int i = 0; i < n; i++) origin[i] = i;
        if (!req.options().blindConstants()) return new JitInput(insns, origin, starts, null);
        ConstantBlinding.Result r;
        try {
            r = ConstantBlinding.blind(insns, KEYS);
        } catch (IllegalArgumentException e) {
            throw new JitException(arch, -1, e.getMessage());
        }
        long[] code = r.insns();
        int[] newIndex = r.newIndex();
        // Blinding leaves lddw BPF_PSEUDO_FUNC alone (as the kernel does), offset included: re-aim it.
        for (int pc = 0; pc < n; pc++) {
            long w = insns[pc];
            if (InsnKind.of(w) != InsnKind.LD_IMM64) continue;
            if (Insn.src(w) == BPF_PSEUDO_FUNC) {
                int at = newIndex[pc];
                code[at] = Insn.withImm(code[at], newIndex[pc + 1 + Insn.imm(w)] - (at + 1));
            }
            pc++;
        }
        return new JitInput(code, r.origin(), r.mapStarts(starts), newIndex);
    }

    /** Each request slot's code offset (and the end at index n), from the translator's offsets of {@code code}'s slots. */
    public int[] insnOffsets(int[] slotOffsets) {
        int n = newIndex == null ? code.length : newIndex.length - 1; // newIndex has one past the end
        int[] out = new int[n + 1];
        for (int i = 0; i <= n; i++) out[i] = slotOffsets[newIndex == null ? i : newIndex[i]];
        return out;
    }
}
