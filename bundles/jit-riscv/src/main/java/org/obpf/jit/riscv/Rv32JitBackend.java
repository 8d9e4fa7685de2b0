package org.obpf.jit.riscv;

import java.util.EnumSet;
import java.util.Set;
import org.obpf.api.insn.Insn;
import org.obpf.api.jit.Capabilities;
import org.obpf.api.jit.CompileRequest;
import org.obpf.api.jit.Feature;
import org.obpf.api.jit.JitBackend;
import org.obpf.api.jit.JitException;
import org.obpf.api.jit.LinkException;
import org.obpf.api.jit.LinkedImage;
import org.obpf.api.jit.RelocatableImage;
import org.obpf.api.jit.SymbolTable;
import org.obpf.api.offload.FirmwareAtomics;
import org.obpf.api.prog.ProgramType;
import org.osgi.service.component.annotations.Component;

/**
 * The RV32IMC(+A) back-end ({@code bpf.arch=riscv32}) for the SmartNIC flow-processing cores: the
 * behaviour of the kernel's {@code arch/riscv/net/bpf_jit_comp32.c}, each 64-bit BPF register a
 * register pair ({@link Rv32Codegen}), with OBPF's compile/link split and the same relocations
 * and link as {@link Rv64JitBackend}. 64-bit atomic operations are not in its
 * {@link #capabilities()}: RV32A has no 64-bit AMO or LR/SC, and the kernel's RV32 JIT does not
 * compile them either, unless the options carry {@link FirmwareAtomics#EXTENSION}: then every
 * atomic, 32- or 64-bit, is a call to the target's firmware routine (the RFPC's cores have no A
 * extension at all). Zbb ({@code rev8}, {@code sext.b/h}, {@code zext.h}) when asked for; Zba
 * has nothing to offer a 32-bit target here.
 */
@Component(property = JitBackend.ARCH + "=" + Rv32JitBackend.ARCH)
public final class Rv32JitBackend implements JitBackend {
    public static final String ARCH = "riscv32";

    public static final int TAIL_CALL_OFFSET = Rv32Codegen.TAIL_CALL_OFFSET;

    private static final Capabilities CAPABILITIES;
    /** zba, zbb, and the firmware atomic calls of targets without the A extension. */
    static final Set<String> EXTENSIONS = Set.of("zba", "zbb", FirmwareAtomics.EXTENSION);

    static {
        EnumSet<Feature> f = EnumSet.allOf(Feature.class);
        f.remove(Feature.KFUNC_CALL);
        f.remove(Feature.LD_ABS_IND);
        f.remove(Feature.ATOMIC64);
        CAPABILITIES = new Capabilities(f, EnumSet.allOf(ProgramType.class), true, Set.of(), 0);
    }

    @Override
    public String arch() {
        return ARCH;
    }

    /** As the kernel's RV32 JIT: the upper halves are left to explicit zero extension. */
    @Override
    public boolean needsZext() {
        return true;
    }

    @Override
    public Capabilities capabilities() {
        return CAPABILITIES;
    }

    @Override
    public RelocatableImage compile(CompileRequest req) throws JitException {
        long[] insns = req.insns();
        boolean fwAtomics = req.options().extensions().contains(FirmwareAtomics.EXTENSION);
        for (int pc = 0; !fwAtomics && pc < insns.length; pc++) {
            if (Feature.required(insns[pc]).contains(Feature.ATOMIC64)) {
                throw new JitException(ARCH, pc, "64-bit atomic operations are not supported by " + ARCH
                        + " (RV32A has no 64-bit AMO or LR/SC; a target with firmware atomic routines asks for "
                        + FirmwareAtomics.EXTENSION + ")");
            }
            if (org.obpf.api.insn.Opcodes.isLdImm64(Insn.code(insns[pc]))) pc++;
        }
        boolean zbb = req.options().extensions().contains("zbb");
        return RvCompiler.compile(ARCH, EXTENSIONS, req, (code, origin, starts) -> new Rv32Codegen(code, origin, starts,
                req.options().compressed(), zbb, req.zextInserted(), fwAtomics));
    }

    @Override
    public LinkedImage link(RelocatableImage image, SymbolTable symbols) throws LinkException {
        return RvRelocations.link(ARCH, false, image, symbols);
    }
}
