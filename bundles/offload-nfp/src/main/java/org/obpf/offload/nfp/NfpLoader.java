package org.obpf.offload.nfp;

import java.util.ArrayList;
import java.util.List;
import org.obpf.api.jit.Relocation;
import org.obpf.api.jit.Symbol;
import org.obpf.offload.nfp.sim.Fields;

/**
 * The device's loader for dynamic offload: binds the relocations an {@code nfp} image's words
 * carry in their top byte (main.h {@code enum nfp_relo_type}, plus OBPF's map-id immediate) for
 * a load base, as the kernel's {@code nfp_bpf_relo_for_vnic} does, and clears the byte. Each word
 * with a relocation byte must have a relocation record of the same type, and the reverse.
 */
final class NfpLoader {
    private NfpLoader() {}

    static final int BR_REL = 1, BR_GO_OUT = 2, BR_GO_ABORT = 3, BR_NEXT_PKT = 6, BR_HELPER = 7, IMMED_REL = 8, IMMED_ABS = 9;

    /** Relocates {@code w} in place for code-store word {@code base}; answers every problem found. */
    static List<String> relocate(long[] w, int base, List<Relocation> relocations, List<NfpMap> maps) {
        List<String> problems = new ArrayList<>();
        boolean[] done = new boolean[w.length];
        for (Relocation r : relocations) {
            int i = r.offset() / 8;
            if (r.offset() % 8 != 0 || i < 0 || i >= w.length) {
                problems.add(r.typeName() + " at offset " + r.offset() + " is not at an instruction word of the image");
                continue;
            }
            int inWord = (int) (w[i] >>> 56);
            if (inWord != r.type()) {
                problems.add(r.typeName() + " at offset " + r.offset() + " but the word's relocation byte is " + inWord);
                continue;
            }
            done[i] = true;
            long insn = w[i] & ~Fields.RELO_MASK;
            try {
                w[i] = switch (r.type()) {
                    case BR_REL -> Fields.withBrTarget(branch(insn), Fields.brTarget(insn) + base);
                    case BR_GO_OUT, BR_GO_ABORT -> Fields.withBrTarget(branch(insn), base + (int) (r.addend() / 8));
                    case IMMED_REL -> Fields.withImmedValue(insn, Fields.immedValue(insn) + base);
                    case BR_NEXT_PKT -> {
                        if (r.symbol().kind() != Symbol.Kind.RUNTIME || !NfpDevice.NEXT_PACKET.equals(r.symbol().name())) {
                            throw new IllegalArgumentException("unresolved symbol " + r.symbol() + ": the firmware's next-packet entry is " + NfpDevice.NEXT_PACKET);
                        }
                        yield Fields.withBrTarget(branch(insn), NfpDevice.NEXT_PACKET_WORD);
                    }
                    case BR_HELPER -> {
                        if (r.symbol().kind() != Symbol.Kind.HELPER || !NfpFirmware.HELPERS.contains(r.symbol().index())) {
                            throw new IllegalArgumentException("the firmware has no routine for " + r.symbol());
                        }
                        yield Fields.withBrTarget(branch(insn), NfpDevice.FW_WORD + r.symbol().index());
                    }
                    case IMMED_ABS -> {
                        int m = r.symbol().index();
                        if (r.symbol().kind() != Symbol.Kind.MAP || m < 0 || m >= maps.size()) {
                            throw new IllegalArgumentException("unresolved symbol " + r.symbol() + " (" + maps.size() + " maps sent)");
                        }
                        yield Fields.withImmedValue(insn, maps.get(m).id);
                    }
                    default -> throw new IllegalArgumentException("relocation type " + r.type() + " is not one the loader binds");
                };
            } catch (IllegalArgumentException e) {
                problems.add(r.typeName() + " at offset " + r.offset() + ": " + e.getMessage());
            }
        }
        for (int i = 0; i < w.length; i++) {
            if (!done[i] && (w[i] & Fields.RELO_MASK) != 0) {
                problems.add("word at offset " + 8 * i + " carries relocation byte " + (w[i] >>> 56) + " with no relocation record");
            }
        }
        return problems;
    }

    private static long branch(long insn) {
        if (!Fields.isBr(insn)) throw new IllegalArgumentException("branch relocation on a word that is not br or br_bit");
        return insn;
    }
}
