package org.obpf.jit.riscv;

import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.obpf.api.jit.CompileRequest;
import org.obpf.api.jit.JitException;
import org.obpf.api.jit.RelocatableImage;
import org.obpf.api.jit.code.CodeBuffer;
import org.obpf.api.jit.code.JitInput;

/**
 * What both RISC-V back-ends do around their code generator: validation, sub-program starts,
 * optional constant blinding, the convergence passes, and the image.
 */
final class RvCompiler {
    private RvCompiler() {}

    /** Optional extensions a compile request may name, on either arch. */
    static final Set<String> EXTENSIONS = Set.of("zba", "zbb");

    /** A code generator for one prepared program. */
    interface Generator {
        void emit(CodeBuffer buf);
        int[] slotOffsets();
        int[] subprogOffsets();
    }

    interface GeneratorFactory {
        Generator create(long[] insns, int[] origin, int[] starts);
    }

    static RelocatableImage compile(String arch, CompileRequest req, GeneratorFactory factory) throws JitException {
        return compile(arch, EXTENSIONS, req, factory);
    }

    static RelocatableImage compile(String arch, Set<String> known, CompileRequest req, GeneratorFactory factory) throws JitException {
        if (req.options().sandbox()) {
            throw new JitException(arch, -1, "sandbox mode (bounds-checked loads and stores) is not supported by " + arch + "; run verified programs");
        }
        for (String e : req.options().extensions()) {
            if (!known.contains(e)) throw new JitException(arch, -1, "unknown ISA extension '" + e + "' (" + arch + " knows " + new TreeSet<>(known) + ")");
        }
        JitInput in = JitInput.prepare(arch, req, false);
        Generator gen = factory.create(in.code(), in.origin(), in.starts());
        CodeBuffer buf;
        try {
            buf = CodeBuffer.converge((Consumer<CodeBuffer>) gen::emit);
        } catch (IllegalStateException | IllegalArgumentException e) {
            throw new JitException(arch, -1, e.getMessage());
        }
        return new RelocatableImage(arch, buf.bytes(), buf.relocations(), gen.subprogOffsets(), in.insnOffsets(gen.slotOffsets()));
    }
}
