package org.obpf.jit.riscv;

import org.obpf.api.jit.JitBackend;
import org.osgi.service.component.annotations.Component;

/** The RV64 disassembler ({@code bpf.arch=riscv64}). */
@Component(property = JitBackend.ARCH + "=" + Rv64JitBackend.ARCH)
public final class Rv64Disassembler extends RvDisassembler {
    public Rv64Disassembler() {
        super(true);
    }

    @Override
    public String arch() {
        return Rv64JitBackend.ARCH;
    }
}
