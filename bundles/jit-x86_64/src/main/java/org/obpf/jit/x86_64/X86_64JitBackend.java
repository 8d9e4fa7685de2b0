package org.obpf.jit.x86_64;

import static org.obpf.api.insn.Opcodes.*;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.OptionalLong;
import org.obpf.api.jit.Capabilities;
import org.obpf.api.jit.CompileRequest;
import org.obpf.api.jit.Feature;
import org.obpf.api.jit.JitBackend;
import org.obpf.api.jit.JitException;
import org.obpf.api.jit.LinkException;
import org.obpf.api.jit.LinkedImage;
import org.obpf.api.jit.RelocatableImage;
import org.obpf.api.jit.Relocation;
import org.obpf.api.jit.SymbolTable;
import org.obpf.api.jit.code.CodeBuffer;
import org.obpf.api.jit.code.JitInput;
import org.obpf.api.prog.ProgramType;
import org.osgi.service.component.annotations.Component;

/**
 * The x86-64 back-end: the behaviour of the kernel's {@code arch/x86/net/bpf_jit_comp.c} with
 * OBPF's compile/link split. {@link #compile} produces position-independent code (relative
 * jumps and calls inside the image) whose only absolute references are {@code R_X86_64_64}
 * relocations: maps and map values ({@code lddw} src 5/6), helpers and the tail-call runtime
 * (both {@code movabs r11, sym; call r11}, since upcall stubs lie anywhere in the address space).
 * A callback sub-program's entry in {@code subprogOffsets} is its C-callable callback entry
 * ({@code long cb(long r1, ..., long r5, long runContext)}), whose address {@code lddw rX,
 * BPF_PSEUDO_FUNC} loads RIP-relative; see {@link Codegen}.
 * {@link #link} applies them. Running the code is the runtime's job; the contract with it is
 * {@link org.obpf.api.jit.code.HostAbi}.
 *
 * <p>Stateless and thread-safe. Also found without a framework through
 * {@code META-INF/services/org.obpf.api.jit.JitBackend}.
 */
@Component(property = JitBackend.ARCH + "=" + X86_64JitBackend.ARCH)
public final class X86_64JitBackend implements JitBackend {
    public static final String ARCH = "x86_64";

    /** ELF relocation types of x86-64 (System V psABI). */
    public static final int R_X86_64_64 = 1;
    public static final int R_X86_64_PC32 = 2;
    public static final int R_X86_64_PLT32 = 4;

    /** Byte offset, from the entry, where tail calls enter a program (past the entry stub). */
    public static final int TAIL_CALL_OFFSET = Codegen.TAIL_CALL_OFFSET;

    private static final Capabilities CAPABILITIES;

    static {
        EnumSet<Feature> f = EnumSet.allOf(Feature.class);
        f.remove(Feature.KFUNC_CALL);
        f.remove(Feature.LD_ABS_IND);
        CAPABILITIES = new Capabilities(f, EnumSet.allOf(ProgramType.class), true, java.util.Set.of(), 0);
    }

    @Override
    public String arch() {
        return ARCH;
    }

    /** x86-64 zero-extends every 32-bit result by itself. */
    @Override
    public boolean needsZext() {
        return false;
    }

    @Override
    public Capabilities capabilities() {
        return CAPABILITIES;
    }

    @Override
    public RelocatableImage compile(CompileRequest req) throws JitException {
        JitInput in = JitInput.prepare(ARCH, req, true);
        Codegen gen = new Codegen(in.code(), in.origin(), in.starts(), req.options().sandbox());
        CodeBuffer buf = CodeBuffer.converge(gen::emit);
        return new RelocatableImage(ARCH, buf.bytes(), buf.relocations(), gen.subprogOffsets(), in.insnOffsets(gen.slotOffsets()));
    }

    @Override
    public LinkedImage link(RelocatableImage image, SymbolTable symbols) throws LinkException {
        if (!ARCH.equals(image.arch())) throw new LinkException(ARCH, List.of("image was compiled for " + image.arch()));
        byte[] code = image.code();
        List<String> problems = new ArrayList<>();
        long load = symbols.loadAddress();
        for (Relocation r : image.relocations()) {
            OptionalLong s = symbols.resolve(r.symbol());
            if (s.isEmpty()) {
                problems.add("unresolved symbol " + r.symbol() + " at offset " + r.offset());
                continue;
            }
            long value = s.getAsLong() + r.addend();
            switch (r.type()) {
                case R_X86_64_64 -> put(code, r.offset(), value, 8);
                case R_X86_64_PC32, R_X86_64_PLT32 -> {
                    long rel = value - (load + r.offset());
                    if (rel != (int) rel) {
                        problems.add(r.symbol() + " at 0x" + Long.toHexString(s.getAsLong()) + " is out of the rel32 range of offset "
                                + r.offset() + " at load address 0x" + Long.toHexString(load));
                    } else {
                        put(code, r.offset(), rel, 4);
                    }
                }
                default -> problems.add("unknown relocation type " + r.type() + " at offset " + r.offset());
            }
        }
        if (!problems.isEmpty()) throw new LinkException(ARCH, problems);
        return new LinkedImage(ARCH, load, code, image.subprogOffsets(), image.insnOffsets());
    }

    private static void put(byte[] code, int at, long v, int n) {
        for (int i = 0; i < n; i++) code[at + i] = (byte) (v >>> (8 * i));
    }
}
