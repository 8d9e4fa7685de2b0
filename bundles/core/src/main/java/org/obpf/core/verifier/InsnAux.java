package org.obpf.core.verifier;

/**
 * What the verifier learned about one instruction slot, the kernel's {@code bpf_insn_aux_data}:
 * whether any path reached it, and for a context load or store the field it accesses (for the
 * ctx rewriting pass in prelink).
 *
 * @param seen true when some path reached the instruction
 * @param ctx  the context access, or null when the instruction does not access the context
 */
public record InsnAux(boolean seen, CtxAccess ctx) {
    static final InsnAux UNSEEN = new InsnAux(false, null);
}
