package org.obpf.core.jit;

import java.util.EnumSet;
import java.util.Set;
import org.obpf.api.jit.Capabilities;
import org.obpf.api.jit.CompileRequest;
import org.obpf.api.jit.Feature;
import org.obpf.api.jit.JitBackend;
import org.obpf.api.jit.JitException;
import org.obpf.api.jit.LinkedImage;
import org.obpf.api.jit.RelocatableImage;
import org.obpf.api.jit.SymbolTable;
import org.obpf.api.prog.ProgramType;

/** A back-end for registry tests: it answers arch and capabilities; compiling is refused. */
public record TestBackend(String arch, boolean needsZext, Capabilities capabilities) implements JitBackend {
    public TestBackend(String arch) {
        this(arch, false, Capabilities.everything());
    }

    /** Basic ALU, jumps, loads and stores, XDP only, helpers 1 and 2. */
    public static TestBackend small(String arch) {
        return new TestBackend(arch, true, new Capabilities(
                EnumSet.of(Feature.ALU32, Feature.ALU64, Feature.JMP, Feature.LOAD, Feature.STORE, Feature.LD_IMM64,
                        Feature.HELPER_CALL),
                EnumSet.of(ProgramType.XDP), false, Set.of(1, 2), 16));
    }

    @Override
    public RelocatableImage compile(CompileRequest request) throws JitException {
        throw new JitException(arch, -1, "registry test back-end does not generate code");
    }

    @Override
    public LinkedImage link(RelocatableImage image, SymbolTable symbols) {
        throw new IllegalStateException("registry test back-end does not link");
    }
}
