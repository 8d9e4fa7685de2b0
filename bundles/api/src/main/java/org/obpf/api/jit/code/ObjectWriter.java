package org.obpf.api.jit.code;

import org.obpf.api.jit.RelocatableImage;

/**
 * Writes a back-end's {@link RelocatableImage} as a relocatable object file of its arch (ELF
 * {@code ET_REL}: code, relocations, and symbols for helpers, maps and the runtime), so the
 * system's tools ({@code objdump -dr}, {@code ld}) can read and link it. Registered with
 * {@link org.obpf.api.jit.JitBackend#ARCH} by the back-end's bundle.
 */
public interface ObjectWriter {

    String arch();

    /**
     * @param image      an image compiled by this arch's back-end
     * @param entryName  the global function symbol for the program entry
     * @return the object file's bytes
     */
    byte[] write(RelocatableImage image, String entryName);
}
