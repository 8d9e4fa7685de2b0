package org.obpf.jit.x86_64;

import static org.obpf.api.insn.Opcodes.*;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.TreeSet;
import org.obpf.api.insn.Insn;
import org.obpf.api.insn.InsnDecoder;
import org.obpf.api.insn.InsnKind;
import org.obpf.api.insn.InvalidInsnException;
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
import org.obpf.api.jit.code.ConstantBlinding;
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
    /** Blinding keys: one generator for all compilations (SecureRandom is thread-safe; seeding it per program is slow). */
    private static final SecureRandom KEYS = new SecureRandom();

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
        long[] insns = req.insns();
        try {
            InsnDecoder.validate(insns);
        } catch (InvalidInsnException e) {
            throw new JitException(ARCH, e.index(), e.reason());
        }
        TreeSet<Integer> startSet = new TreeSet<>();
        for (int s : req.subprogStarts()) {
            if (s < 0 || s >= insns.length) throw new JitException(ARCH, -1, "sub-program start " + s + " outside the program");
            startSet.add(s);
        }
        for (int pc = 0; pc < insns.length; pc++) {
            long w = insns[pc];
            InsnKind kind = InsnKind.of(w);
            switch (kind) {
                case LD_ABS, LD_IND -> throw new JitException(ARCH, pc, "legacy packet loads (BPF_ABS/BPF_IND) are not supported: they need a socket buffer context");
                case CALL_KFUNC -> throw new JitException(ARCH, pc, "kfunc calls are not supported");
                case CALL_LOCAL -> startSet.add(pc + 1 + Insn.imm(w));
                case LD_IMM64 -> {
                    int src = Insn.src(w);
                    if (src == BPF_PSEUDO_FUNC) {
                        int target = pc + 1 + Insn.imm(w);
                        if (target <= 0 || target >= insns.length) {
                            throw new JitException(ARCH, pc, "callback target " + target + " outside the program");
                        }
                        startSet.add(target);
                    } else if (src != 0 && src != BPF_PSEUDO_MAP_IDX && src != BPF_PSEUDO_MAP_IDX_VALUE) {
                        throw new JitException(ARCH, pc, "lddw with pseudo source " + src
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
                throw new JitException(ARCH, -1, e.getMessage());
            }
            code = r.insns();
            origin = r.origin();
            newIndex = r.newIndex();
            // Blinding leaves lddw BPF_PSEUDO_FUNC alone (as the kernel does), offset included: re-aim it.
            for (int pc = 0; pc < n; pc++) {
                long w = insns[pc];
                if (InsnKind.of(w) != InsnKind.LD_IMM64) continue;
                if (Insn.src(w) == BPF_PSEUDO_FUNC) {
                    int at = newIndex[pc];
                    code[at] = Insn.withImm(code[at], newIndex[pc + 1 + Insn.imm(w)] - (at + 1));
                }
                pc++;
            }
            starts = r.mapStarts(starts);
        }
        Codegen gen = new Codegen(code, origin, starts, req.options().sandbox());
        CodeBuffer buf = CodeBuffer.converge(gen::emit);
        int[] slotOffsets = gen.slotOffsets();
        int[] insnOffsets = new int[n + 1];
        for (int i = 0; i <= n; i++) insnOffsets[i] = slotOffsets[newIndex == null ? i : newIndex[i]];
        int[] subprogOffsets = gen.subprogOffsets();
        return new RelocatableImage(ARCH, buf.bytes(), buf.relocations(), subprogOffsets, insnOffsets);
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
