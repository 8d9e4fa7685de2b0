package org.obpf.core.verifier;

/**
 * What the verifier learned about one instruction slot, the kernel's {@code bpf_insn_aux_data}:
 * whether any path reached it, and for a context load or store the field it accesses (for the
 * ctx rewriting pass in prelink).
 *
 * @param seen    true when some path reached the instruction
 * @param ctx     the context access, or null when the instruction does not access the context
 * @param ptrType for a load, store or atomic: the kind of memory it goes through (the kernel's
 *                {@code ptr_type}; one kind per instruction when the context is involved), else null
 */
public record InsnAux(boolean seen, CtxAccess ctx, RegType ptrType) {
    static final InsnAux UNSEEN = new InsnAux(false, null, null);
}
