package org.obpf.jit.nfp;

import static org.obpf.api.insn.Opcodes.MAX_BPF_STACK;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Collectors;
import org.obpf.api.insn.InsnDecoder;
import org.obpf.api.insn.InvalidInsnException;
import org.obpf.api.jit.Capabilities;
import org.obpf.api.jit.CompileRequest;
import org.obpf.api.jit.Feature;
import org.obpf.api.jit.JitBackend;
import org.obpf.api.jit.JitException;
import org.obpf.api.jit.LinkException;
import org.obpf.api.jit.LinkedImage;
import org.obpf.api.jit.Refusal;
import org.obpf.api.jit.RelocatableImage;
import org.obpf.api.jit.Relocation;
import org.obpf.api.jit.Symbol;
import org.obpf.api.jit.SymbolTable;
import org.obpf.api.jit.code.CodeBuffer;
import org.obpf.api.prog.ProgramType;
import org.obpf.jit.nfp.NfpAsm.Relo;
import org.osgi.service.component.annotations.Component;

/**
 * The Netronome NFP-6xxx back-end (offload only): the kernel's {@code nfp/bpf/jit.c} behaviour
 * with OBPF's compile/link split.
 *
 * <p>{@link #compile} takes the program as the kernel's offload path hands it to the driver:
 * verified, context accesses as written ({@code struct xdp_md} / {@code struct __sk_buff}
 * offsets, no {@code convert_ctx_accesses}), helper calls by id, maps as {@code lddw} with
 * {@code BPF_PSEUDO_MAP_IDX}. What the NFP cannot run is refused with the reasons of the
 * kernel's {@code nfp_verify_insn}, every instruction listed. Constant blinding is not applied
 * (the kernel does not blind offloaded programs either). The image is little-endian 64-bit
 * words; every branch and relocated immediate carries its {@link Relo relocation type} in the
 * word's top byte, as the kernel keeps it, and is also listed in the image's relocations.
 *
 * <p>{@link #link} resolves them as the kernel's {@code nfp_bpf_relo_for_vnic} does, clears the
 * top bytes and adds the ECC bits. Addresses in the {@link SymbolTable} are byte addresses in the
 * code store (8 per instruction word): the load address, {@value #NEXT_PACKET} (the firmware's
 * next-packet entry), and the firmware routine of each helper the program calls
 * ({@link Symbol#helper}); a map's {@link Symbol#map} is bound to its device table id.
 */
@Component(property = JitBackend.ARCH + "=" + NfpJitBackend.ARCH)
public final class NfpJitBackend implements JitBackend {
    public static final String ARCH = "nfp";

    /** The runtime symbol of the firmware's "done with this packet, fetch the next" entry. */
    public static final String NEXT_PACKET = "nfp_next_packet";
    /** Stack the firmware gives a program, in bytes (the kernel reads it from the firmware). */
    public static final int FW_STACK_BYTES = 512;
    /** Firmware limits on the packet's start offset in its buffer, for bpf_xdp_adjust_head. */
    public static final int ADJUST_HEAD_OFF_MIN = 32, ADJUST_HEAD_OFF_MAX = 224;
    /** Helpers the firmware provides (the kernel's nfp_bpf_check_helper_call). */
    public static final Set<Integer> HELPERS = Set.of(Codegen.FUNC_map_lookup_elem, Codegen.FUNC_map_update_elem,
            Codegen.FUNC_map_delete_elem, Codegen.FUNC_get_prandom_u32, Codegen.FUNC_perf_event_output,
            Codegen.FUNC_xdp_adjust_head, Codegen.FUNC_xdp_adjust_tail);

    private static final Capabilities CAPABILITIES = new Capabilities(
            EnumSet.of(Feature.ALU32, Feature.ALU64, Feature.MUL, Feature.DIV, Feature.BYTESWAP, Feature.JMP, Feature.JMP32,
                    Feature.LD_IMM64, Feature.LOAD, Feature.STORE, Feature.ATOMIC32, Feature.ATOMIC64,
                    Feature.HELPER_CALL, Feature.LD_ABS_IND),
            EnumSet.of(ProgramType.XDP, ProgramType.SCHED_CLS), false, HELPERS, 0);

    @Override
    public String arch() {
        return ARCH;
    }

    /** 32-bit operations clear the high word themselves, as the kernel's NFP JIT did before verifier zext. */
    @Override
    public boolean needsZext() {
        return false;
    }

    @Override
    public Capabilities capabilities() {
        return CAPABILITIES;
    }

    /**
     * Every reason this back-end cannot compile {@code req}, instruction by instruction, with the
     * kernel's words; empty when it can. {@link #compile} throws with all of them.
     */
    public List<Refusal> refusals(CompileRequest req) {
        long[] insns = req.insns();
        try {
            InsnDecoder.validate(insns);
        } catch (InvalidInsnException e) {
            return List.of(new Refusal(Refusal.Kind.INSTRUCTION, e.index(), "insn " + e.index() + ": " + e.reason()));
        }
        List<Refusal> r = new ArrayList<>();
        if (req.options().sandbox()) {
            r.add(new Refusal(Refusal.Kind.DEVICE, -1, "sandboxed code not supported by nfp: an offloaded program must be verified"));
        }
        // sub-programs are reached only through calls or address loads, which are refused where they are
        r.addAll(codegen(req).refusals());
        return r;
    }

    private static Codegen codegen(CompileRequest req) {
        int[] depth = req.stackDepth();
        return new Codegen(req.insns(), req.type(), depth == null ? MAX_BPF_STACK : depth[0]);
    }

    @Override
    public RelocatableImage compile(CompileRequest req) throws JitException {
        List<Refusal> refusals = refusals(req);
        if (!refusals.isEmpty()) {
            // the exception names the first instruction; its message lists every reason
            Refusal first = refusals.getFirst();
            String all = refusals.stream().map(Refusal::detail).collect(Collectors.joining("; "));
            String prefix = "insn " + first.insn() + ": ";
            if (first.insn() >= 0 && all.startsWith(prefix)) all = all.substring(prefix.length());
            throw new JitException(ARCH, first.insn(), all);
        }
        Codegen gen = codegen(req);
        try {
            gen.translate();
        } catch (IllegalStateException | IllegalArgumentException e) {
            throw new JitException(ARCH, -1, e.getMessage());
        }
        long[] words = gen.words();
        CodeBuffer buf = new CodeBuffer();
        for (long w : words) buf.emit64(w);
        for (int i = 0; i < words.length; i++) {
            Relo t = NfpAsm.relo(words[i]);
            if (t == Relo.NONE) continue;
            Symbol sym;
            long addend = 0;
            switch (t) {
                case BR_REL -> addend = 8L * NfpAsm.brGetOffset(words[i]);
                case BR_GO_OUT -> addend = 8L * gen.tgtOut;
                case BR_GO_ABORT -> addend = 8L * gen.tgtAbort;
                case IMMED_REL -> addend = 8L * NfpAsm.immedGetValue(words[i]);
                default -> { }
            }
            sym = switch (t) {
                case BR_REL, BR_GO_OUT, BR_GO_ABORT, IMMED_REL -> Symbol.image();
                case BR_NEXT_PKT -> Symbol.runtime(NEXT_PACKET);
                case BR_HELPER -> Symbol.helper(NfpAsm.brGetOffset(words[i]) - NfpAsm.BR_OFF_RELO);
                case IMMED_ABS -> Symbol.map(NfpAsm.immedGetValue(words[i]));
                default -> throw new JitException(ARCH, -1, "word " + i + " carries relocation " + t + " the linker does not know");
            };
            buf.relocate(8 * i, t.ordinal(), t.relocationName(), sym, addend);
        }
        int[] insnOffsets = new int[gen.insnOff.length];
        for (int i = 0; i < insnOffsets.length; i++) insnOffsets[i] = 8 * gen.insnOff[i];
        return new RelocatableImage(ARCH, buf.bytes(), buf.relocations(), new int[] {0}, insnOffsets);
    }

    @Override
    public LinkedImage link(RelocatableImage image, SymbolTable symbols) throws LinkException {
        if (!ARCH.equals(image.arch())) throw new LinkException(ARCH, List.of("image was compiled for " + image.arch()));
        byte[] code = image.code();
        if (code.length % 8 != 0) throw new LinkException(ARCH, List.of("image of " + code.length + " bytes is not whole instruction words"));
        long[] w = new long[code.length / 8];
        for (int i = 0; i < w.length; i++) w[i] = get64(code, 8 * i);
        List<String> problems = new ArrayList<>();
        long load = symbols.loadAddress();
        if (load < 0 || load % 8 != 0) problems.add("load address 0x" + Long.toHexString(load) + " is not a code-store word address (a multiple of 8)");
        int base = (int) (load / 8);
        boolean[] recorded = new boolean[w.length];
        for (Relocation r : image.relocations()) {
            int i = r.offset() / 8;
            recorded[i] = true;
            if (r.offset() % 8 != 0) {
                problems.add("relocation at offset " + r.offset() + " is not at an instruction word");
                continue;
            }
            Relo t = Relo.of(r.type());
            Relo inWord = Relo.of((int) NfpAsm.get(NfpAsm.OP_RELO_TYPE, w[i]));
            if (t == null || t != inWord) {
                problems.add("relocation " + r.typeName() + " at offset " + r.offset() + " does not match the word's relocation byte " + inWord);
                continue;
            }
            long insn = w[i] & ~NfpAsm.OP_RELO_TYPE;
            try {
                insn = switch (t) {
                    case BR_REL -> NfpAsm.brAddOffset(insn, base);
                    case BR_GO_OUT, BR_GO_ABORT -> NfpAsm.brSetOffset(insn, (int) ((load + r.addend()) / 8));
                    case IMMED_REL -> NfpAsm.immedAddValue(insn, base);
                    case BR_NEXT_PKT, BR_HELPER -> {
                        OptionalLong s = symbols.resolve(r.symbol());
                        if (s.isEmpty()) throw new IllegalArgumentException("unresolved symbol " + r.symbol());
                        long addr = s.getAsLong() + r.addend();
                        if (addr % 8 != 0) throw new IllegalArgumentException(r.symbol() + " at 0x" + Long.toHexString(addr) + " is not a code-store word address");
                        yield NfpAsm.brSetOffset(insn, (int) Math.min(addr / 8, Integer.MAX_VALUE));
                    }
                    case IMMED_ABS -> {
                        OptionalLong s = symbols.resolve(r.symbol());
                        if (s.isEmpty()) throw new IllegalArgumentException("unresolved symbol " + r.symbol());
                        long v = s.getAsLong() + r.addend();
                        if (v < 0 || v > 0xffff) throw new IllegalArgumentException(r.symbol() + " id " + v + " does not fit a 16-bit immediate");
                        yield NfpAsm.immedSetValue(insn, (int) v);
                    }
                    default -> throw new IllegalArgumentException("relocation type " + t + " has nothing to bind");
                };
                w[i] = insn;
            } catch (IllegalArgumentException e) {
                problems.add(r.typeName() + " at offset " + r.offset() + ": " + e.getMessage());
            }
        }
        for (int i = 0; i < w.length; i++) {
            if (!recorded[i] && NfpAsm.get(NfpAsm.OP_RELO_TYPE, w[i]) != 0) {
                problems.add("word at offset " + 8 * i + " carries relocation byte " + NfpAsm.get(NfpAsm.OP_RELO_TYPE, w[i]) + " with no relocation record");
            }
        }
        if (!problems.isEmpty()) throw new LinkException(ARCH, problems);
        // nfp_bpf_ustore_calc: the words as the microengine's code store takes them
        byte[] linked = new byte[code.length];
        for (int i = 0; i < w.length; i++) put64(linked, 8 * i, NfpAsm.withEcc(w[i]));
        return new LinkedImage(ARCH, load, linked, image.subprogOffsets(), image.insnOffsets());
    }

    static long get64(byte[] b, int at) {
        long v = 0;
        for (int k = 7; k >= 0; k--) v = v << 8 | (b[at + k] & 0xff);
        return v;
    }

    static void put64(byte[] b, int at, long v) {
        for (int k = 0; k < 8; k++) b[at + k] = (byte) (v >>> (8 * k));
    }
}
