package org.obpf.api.jit;

import static org.obpf.api.insn.Opcodes.BPF_CALL;
import static org.obpf.api.insn.Opcodes.BPF_HELPER_CALL;
import static org.obpf.api.insn.Opcodes.BPF_JMP;
import static org.obpf.api.insn.Opcodes.isLdImm64;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.obpf.api.insn.Insn;
import org.obpf.api.prog.ProgramType;

/**
 * What a back-end can compile.
 *
 * @param features     instruction-set features it compiles
 * @param programTypes program types it accepts
 * @param anyHelper    true if it calls any helper the runtime provides (host back-ends);
 *                     false if only those in {@code helpers} (offload targets with firmware helpers)
 * @param helpers      helper ids it can call when {@code anyHelper} is false
 * @param maxInsns     most instruction slots it accepts (0: no limit of its own)
 */
public record Capabilities(Set<Feature> features, Set<ProgramType> programTypes, boolean anyHelper,
                           Set<Integer> helpers, int maxInsns) {

    public Capabilities {
        features = features.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(features));
        programTypes = Set.copyOf(programTypes);
        helpers = Set.copyOf(new TreeSet<>(helpers));
    }

    /** Every feature, every program type, any helper: what a complete host back-end offers. */
    public static Capabilities everything() {
        return new Capabilities(EnumSet.allOf(Feature.class), EnumSet.allOf(ProgramType.class), true, Set.of(), 0);
    }

    public boolean supports(Feature f) {
        return features.contains(f);
    }

    public boolean supportsHelper(int id) {
        return anyHelper || helpers.contains(id);
    }

    /**
     * Every reason this back-end cannot compile the program, one per offending instruction and
     * feature; empty when it can.
     */
    public List<Refusal> refusals(String arch, ProgramType type, long[] insns) {
        List<Refusal> reasons = new ArrayList<>();
        if (!programTypes.contains(type)) {
            reasons.add(new Refusal(Refusal.Kind.PROGRAM_TYPE, -1, "program type " + type.kernelName() + " is not supported by " + arch));
        }
        if (maxInsns > 0 && insns.length > maxInsns) {
            reasons.add(new Refusal(Refusal.Kind.SIZE, -1, "program has " + insns.length + " instructions, " + arch + " takes at most " + maxInsns));
        }
        for (int i = 0; i < insns.length; i++) {
            long w = insns[i];
            for (Feature f : Feature.required(w)) {
                if (!features.contains(f)) {
                    reasons.add(new Refusal(Refusal.Kind.INSTRUCTION, i, "insn " + i + ": " + f.description() + " not supported by " + arch));
                }
            }
            int code = Insn.code(w);
            if (code == (BPF_JMP | BPF_CALL) && Insn.src(w) == BPF_HELPER_CALL && !supportsHelper(Insn.imm(w))) {
                reasons.add(new Refusal(Refusal.Kind.HELPER, i, "insn " + i + ": helper " + Insn.imm(w) + " is not available on " + arch));
            }
            if (isLdImm64(code)) i++; // the second slot is data
        }
        return reasons;
    }
}
