package org.obpf.examples.jit.bpf;

import static org.obpf.api.insn.Opcodes.BPF_CALL;
import static org.obpf.api.insn.Opcodes.BPF_HELPER_CALL;
import static org.obpf.api.insn.Opcodes.BPF_JMP;
import static org.obpf.api.insn.Opcodes.BPF_PSEUDO_KFUNC_CALL;
import static org.obpf.api.insn.Opcodes.BPF_PSEUDO_MAP_IDX;
import static org.obpf.api.insn.Opcodes.BPF_PSEUDO_MAP_IDX_VALUE;
import static org.obpf.api.insn.Opcodes.isLdImm64;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.obpf.api.insn.Insn;
import org.obpf.api.jit.Capabilities;
import org.obpf.api.jit.CompileRequest;
import org.obpf.api.jit.JitBackend;
import org.obpf.api.jit.JitException;
import org.obpf.api.jit.LinkException;
import org.obpf.api.jit.LinkedImage;
import org.obpf.api.jit.RelocatableImage;
import org.obpf.api.jit.Relocation;
import org.obpf.api.jit.Symbol;
import org.obpf.api.jit.SymbolTable;
import org.osgi.service.component.annotations.Component;

/**
 * A back-end whose target machine is eBPF itself. Its "machine code" is the program's own
 * instruction slots; what it shows is the contract every back-end follows: compile records each
 * external reference as a relocation (with the BPF ELF relocation types clang emits), and link
 * binds them, so the output is a program in the form the kernel has after
 * {@code replace_map_fd_with_map_ptr} and {@code fixup_bpf_call}: addresses in {@code lddw},
 * helper addresses in call immediates.
 *
 * <p>To start a research back-end, copy this module, change {@code bpf.arch} and replace
 * {@link #compile} with a code generator.
 */
@Component(property = JitBackend.ARCH + "=" + BpfJitBackend.ARCH)
public final class BpfJitBackend implements JitBackend {
    static final String ARCH = "bpf";

    /** {@code R_BPF_64_64}: the 64-bit value split over the two immediates of a {@code lddw}. */
    static final int R_BPF_64_64 = 1;
    /** {@code R_BPF_64_32}: the 32-bit immediate of a call; receives S + A (a helper's address or slot). */
    static final int R_BPF_64_32 = 10;

    @Override
    public String arch() {
        return ARCH;
    }

    @Override
    public boolean needsZext() {
        return false; // BPF's own 32-bit operations zero the upper half
    }

    @Override
    public Capabilities capabilities() {
        return Capabilities.everything();
    }

    @Override
    public RelocatableImage compile(CompileRequest req) throws JitException {
        long[] insns = req.insns();
        List<Relocation> relocs = new ArrayList<>();
        for (int i = 0; i < insns.length; i++) {
            long w = insns[i];
            int code = Insn.code(w);
            if (isLdImm64(code)) {
                if (i + 1 >= insns.length) throw new JitException(ARCH, i, "16-byte immediate load is missing its second slot");
                int src = Insn.src(w);
                if (src == BPF_PSEUDO_MAP_IDX || src == BPF_PSEUDO_MAP_IDX_VALUE) {
                    Symbol sym = src == BPF_PSEUDO_MAP_IDX ? Symbol.map(Insn.imm(w)) : Symbol.mapValue(Insn.imm(w));
                    long addend = src == BPF_PSEUDO_MAP_IDX ? 0 : Insn.imm(insns[i + 1]) & 0xffffffffL;
                    relocs.add(new Relocation(i * 8, R_BPF_64_64, "R_BPF_64_64", sym, addend));
                    insns[i] = Insn.encode(code, Insn.dst(w), 0, Insn.off(w), 0);
                    insns[i + 1] = Insn.withImm(insns[i + 1], 0);
                } else if (src != 0) {
                    throw new JitException(ARCH, i, "lddw with pseudo source " + src
                            + " must be resolved by the prelink passes before code generation");
                }
                i++;
            } else if (code == (BPF_JMP | BPF_CALL)) {
                int src = Insn.src(w);
                if (src == BPF_HELPER_CALL || src == BPF_PSEUDO_KFUNC_CALL) {
                    Symbol sym = src == BPF_HELPER_CALL ? Symbol.helper(Insn.imm(w)) : Symbol.kfunc(Insn.imm(w));
                    relocs.add(new Relocation(i * 8, R_BPF_64_32, "R_BPF_64_32", sym, 0));
                    insns[i] = Insn.withImm(w, 0);
                }
                // BPF_PSEUDO_CALL is PC-relative in slots: position-independent as it is.
            }
        }
        int[] subprogs = req.subprogStarts();
        int[] subprogOffsets = new int[subprogs.length];
        for (int s = 0; s < subprogs.length; s++) subprogOffsets[s] = subprogs[s] * 8;
        int[] insnOffsets = new int[insns.length + 1];
        for (int i = 0; i <= insns.length; i++) insnOffsets[i] = i * 8;
        return new RelocatableImage(ARCH, toBytes(insns), relocs, subprogOffsets, insnOffsets);
    }

    @Override
    public LinkedImage link(RelocatableImage image, SymbolTable symbols) throws LinkException {
        if (!ARCH.equals(image.arch())) {
            throw new LinkException(ARCH, List.of("image was compiled for " + image.arch()));
        }
        ByteBuffer code = ByteBuffer.wrap(image.code()).order(ByteOrder.LITTLE_ENDIAN);
        List<String> problems = new ArrayList<>();
        for (Relocation r : image.relocations()) {
            OptionalLong s = symbols.resolve(r.symbol());
            if (s.isEmpty()) {
                problems.add("unresolved symbol " + r.symbol() + " at offset " + r.offset());
                continue;
            }
            long value = s.getAsLong() + r.addend();
            switch (r.type()) {
                case R_BPF_64_64 -> {
                    code.putInt(r.offset() + 4, (int) value);
                    code.putInt(r.offset() + 12, (int) (value >>> 32));
                }
                case R_BPF_64_32 -> {
                    if (value != (int) value) {
                        problems.add(r.symbol() + " = 0x" + Long.toHexString(value) + " does not fit the 32-bit call immediate at offset " + r.offset());
                    } else {
                        code.putInt(r.offset() + 4, (int) value);
                    }
                }
                default -> problems.add("unknown relocation type " + r.type() + " at offset " + r.offset());
            }
        }
        if (!problems.isEmpty()) throw new LinkException(ARCH, problems);
        return new LinkedImage(ARCH, symbols.loadAddress(), code.array(), image.subprogOffsets(), image.insnOffsets());
    }

    private static byte[] toBytes(long[] insns) {
        ByteBuffer b = ByteBuffer.allocate(insns.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long w : insns) b.putLong(w);
        return b.array();
    }
}
