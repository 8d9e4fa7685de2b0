package org.obpf.jit.riscv;

import org.obpf.api.jit.JitBackend;
import org.osgi.service.component.annotations.Component;

/** The RV32 disassembler ({@code bpf.arch=riscv32}). */
@Component(property = JitBackend.ARCH + "=" + Rv32JitBackend.ARCH)
public final class Rv32Disassembler extends RvDisassembler {
    public Rv32Disassembler() {
        super(false);
    }

    @Override
    public String arch() {
        return Rv32JitBackend.ARCH;
    }
}
