package org.obpf.jit.riscv;

import org.obpf.api.jit.JitBackend;
import org.osgi.service.component.annotations.Component;

/** The ELF32 object writer for {@code bpf.arch=riscv32}. */
@Component(property = JitBackend.ARCH + "=" + Rv32JitBackend.ARCH)
public final class Rv32ObjectWriter extends RvObjectWriter {
    public Rv32ObjectWriter() {
        super(false);
    }

    @Override
    public String arch() {
        return Rv32JitBackend.ARCH;
    }
}
