package org.obpf.jit.riscv;

import org.obpf.api.jit.JitBackend;
import org.osgi.service.component.annotations.Component;

/** The ELF64 object writer for {@code bpf.arch=riscv64}. */
@Component(property = JitBackend.ARCH + "=" + Rv64JitBackend.ARCH)
public final class Rv64ObjectWriter extends RvObjectWriter {
    public Rv64ObjectWriter() {
        super(true);
    }

    @Override
    public String arch() {
        return Rv64JitBackend.ARCH;
    }
}
