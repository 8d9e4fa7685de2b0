package org.obpf.api.registry;

import java.util.Objects;
import org.obpf.api.jit.RelocatableImage;

/**
 * A program's machine code on one back-end, for {@code prog dump jited}: the image as compiled
 * (instruction offsets and relocations) and where it is loaded.
 *
 * @param arch    the back-end's {@code bpf.arch}
 * @param address the load address of the linked code
 * @param image   the relocatable image
 * @param code    the linked code bytes, as they run at {@code address}
 */
public record JitedCode(String arch, long address, RelocatableImage image, byte[] code) {
    public JitedCode {
        Objects.requireNonNull(arch, "arch");
        Objects.requireNonNull(image, "image");
        code = code.clone();
    }

    @Override
    public byte[] code() {
        return code.clone();
    }
}
