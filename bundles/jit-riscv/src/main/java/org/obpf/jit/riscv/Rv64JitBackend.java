package org.obpf.jit.riscv;

import java.util.EnumSet;
import java.util.Set;
import org.obpf.api.jit.Capabilities;
import org.obpf.api.jit.CompileRequest;
import org.obpf.api.jit.Feature;
import org.obpf.api.jit.JitBackend;
import org.obpf.api.jit.JitException;
import org.obpf.api.jit.LinkException;
import org.obpf.api.jit.LinkedImage;
import org.obpf.api.jit.RelocatableImage;
import org.obpf.api.jit.SymbolTable;
import org.obpf.api.prog.ProgramType;
import org.osgi.service.component.annotations.Component;

/**
 * The RV64IMAC back-end ({@code bpf.arch=riscv64}): the behaviour of the kernel's
 * {@code arch/riscv/net/bpf_jit_comp64.c} with OBPF's compile/link split. Compressed instructions
 * wherever they fit unless {@link org.obpf.api.jit.CompileOptions#compressed()} is off; Zba and Zbb
 * when the request's extensions name {@code zba}/{@code zbb}. Every external reference is a
 * standard {@code R_RISCV_*} relocation ({@link RvRelocations}), applied by {@link #link} as GNU ld
 * applies it. The code follows {@link org.obpf.api.jit.code.HostAbi}.
 *
 * <p>Stateless and thread-safe. Also found without a framework through
 * {@code META-INF/services/org.obpf.api.jit.JitBackend}.
 */
@Component(property = JitBackend.ARCH + "=" + Rv64JitBackend.ARCH)
public final class Rv64JitBackend implements JitBackend {
    public static final String ARCH = "riscv64";

    /** Byte offset, from the entry, where tail calls enter a program (past the entry stub). */
    public static final int TAIL_CALL_OFFSET = Rv64Codegen.TAIL_CALL_OFFSET;

    private static final Capabilities CAPABILITIES;

    static {
        EnumSet<Feature> f = EnumSet.allOf(Feature.class);
        f.remove(Feature.KFUNC_CALL);
        f.remove(Feature.LD_ABS_IND);
        CAPABILITIES = new Capabilities(f, EnumSet.allOf(ProgramType.class), true, Set.of(), 0);
    }

    @Override
    public String arch() {
        return ARCH;
    }

    /** As the kernel's RV64 JIT: the W instructions sign-extend their 32-bit results. */
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
        Set<String> ext = req.options().extensions();
        return RvCompiler.compile(ARCH, req, (insns, origin, starts) -> new Rv64Codegen(insns, origin, starts,
                req.options().compressed(), ext.contains("zba"), ext.contains("zbb"), req.zextInserted()));
    }

    @Override
    public LinkedImage link(RelocatableImage image, SymbolTable symbols) throws LinkException {
        return RvRelocations.link(ARCH, true, image, symbols);
    }
}
