package org.obpf.jit.riscv;

import static org.obpf.api.insn.Opcodes.*;

import java.security.SecureRandom;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.obpf.api.insn.Insn;
import org.obpf.api.insn.InsnDecoder;
import org.obpf.api.insn.InsnKind;
import org.obpf.api.insn.InvalidInsnException;
import org.obpf.api.jit.CompileRequest;
import org.obpf.api.jit.JitException;
import org.obpf.api.jit.RelocatableImage;
import org.obpf.api.jit.code.CodeBuffer;
import org.obpf.api.jit.code.ConstantBlinding;

/**
 * What both RISC-V back-ends do around their code generator: validation, sub-program starts,
 * optional constant blinding, the convergence passes, and the image.
 */
final class RvCompiler {
    private RvCompiler() {}

    /** Optional extensions a compile request may name, on either arch. */
    static final Set<String> EXTENSIONS = Set.of("zba", "zbb");

    /** Blinding keys: one generator for all compilations (SecureRandom is thread-safe). */
    private static final SecureRandom KEYS = new SecureRandom();

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
        long[] insns = req.insns();
        try {
            InsnDecoder.validate(insns);
        } catch (InvalidInsnException e) {
            throw new JitException(arch, e.index(), e.reason());
        }
        TreeSet<Integer> startSet = new TreeSet<>();
        for (int s : req.subprogStarts()) {
            if (s < 0 || s >= insns.length) throw new JitException(arch, -1, "sub-program start " + s + " outside the program");
            startSet.add(s);
        }
        for (int pc = 0; pc < insns.length; pc++) {
            long w = insns[pc];
            switch (InsnKind.of(w)) {
                case LD_ABS, LD_IND -> throw new JitException(arch, pc, "legacy packet loads (BPF_ABS/BPF_IND) are not supported: they need a socket buffer context");
                case CALL_KFUNC -> throw new JitException(arch, pc, "kfunc calls are not supported");
                case CALL_LOCAL -> startSet.add(pc + 1 + Insn.imm(w));
                case LD_IMM64 -> {
                    int src = Insn.src(w);
                    if (src != 0 && src != BPF_PSEUDO_MAP_IDX && src != BPF_PSEUDO_MAP_IDX_VALUE) {
                        throw new JitException(arch, pc, "lddw with pseudo source " + src
                                + " must be resolved by the prelink passes before code generation");
                    }
                    pc++;
                }
                default -> { }
            }
        }
        int[] starts = startSet.stream().mapToInt(Integer::intValue).toArray();
        int n = insns.length;
        int[] origin = new int[n];
        for (int i = 0; i < n; i++) origin[i] = i;
        int[] newIndex = null;
        long[] code = insns;
        if (req.options().blindConstants()) {
            ConstantBlinding.Result r;
            try {
                r = ConstantBlinding.blind(insns, KEYS);
            } catch (IllegalArgumentException e) {
                throw new JitException(arch, -1, e.getMessage());
            }
            code = r.insns();
            origin = r.origin();
            newIndex = r.newIndex();
            starts = r.mapStarts(starts);
        }
        Generator gen = factory.create(code, origin, starts);
        CodeBuffer buf;
        try {
            buf = CodeBuffer.converge((Consumer<CodeBuffer>) gen::emit);
        } catch (IllegalStateException | IllegalArgumentException e) {
            throw new JitException(arch, -1, e.getMessage());
        }
        int[] slotOffsets = gen.slotOffsets();
        int[] insnOffsets = new int[n + 1];
        for (int i = 0; i <= n; i++) insnOffsets[i] = slotOffsets[newIndex == null ? i : newIndex[i]];
        return new RelocatableImage(arch, buf.bytes(), buf.relocations(), gen.subprogOffsets(), insnOffsets);
    }
}
