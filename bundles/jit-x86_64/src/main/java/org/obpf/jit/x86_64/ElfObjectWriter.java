package org.obpf.jit.x86_64;

import org.obpf.api.jit.JitBackend;
import org.obpf.api.jit.RelocatableImage;
import org.obpf.api.jit.code.ElfRelocatable;
import org.obpf.api.jit.code.ObjectWriter;
import org.osgi.service.component.annotations.Component;

/**
 * Writes an x86-64 {@link RelocatableImage} as an ELF64 relocatable object ({@code EM_X86_64}; the
 * layout is api's {@link ElfRelocatable}): the relocations' types are already {@code R_X86_64_*},
 * so the system linker binds it exactly as {@link X86_64JitBackend#link} does; the code follows
 * {@link org.obpf.api.jit.code.HostAbi}.
 */
@Component(property = JitBackend.ARCH + "=" + X86_64JitBackend.ARCH)
public final class ElfObjectWriter implements ObjectWriter {
    static final int EM_X86_64 = 62;
    private static final ElfRelocatable OBJECT = new ElfRelocatable(true, EM_X86_64, 0, 16);

    @Override
    public String arch() {
        return X86_64JitBackend.ARCH;
    }

    @Override
    public byte[] write(RelocatableImage image, String entryName) {
        if (!X86_64JitBackend.ARCH.equals(image.arch())) {
            throw new IllegalArgumentException("image was compiled for " + image.arch() + ", not x86_64");
        }
        return OBJECT.write(image, entryName);
    }
}
