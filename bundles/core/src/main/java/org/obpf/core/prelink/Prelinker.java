package org.obpf.core.prelink;

import static org.obpf.api.insn.Opcodes.*;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import org.obpf.api.BpfException;
import org.obpf.api.Errno;
import org.obpf.api.helper.Helper;
import org.obpf.api.insn.Insn;
import org.obpf.api.insn.InsnDecoder;
import org.obpf.api.insn.InsnKind;
import org.obpf.api.obj.AttachType;
import org.obpf.api.prog.ProgramType;
import org.obpf.core.helper.HelperTable;
import org.obpf.core.helper.MapHelpers;
import org.obpf.core.map.AbstractBpfMap;
import org.obpf.core.map.ArrayMap;

/**
 * The kernel's passes between verification and code generation, each a pure function from
 * instruction slots to instruction slots whose result {@link Prelinked#stages() is kept} for
 * {@code prog dump xlated}:
 *
 * <ol>
 *   <li>{@code replace_map_fd_with_map_ptr}: {@code lddw} of a map fd or index (src 1, 5) becomes
 *       {@code lddw src 0} of the map's address; of a map value (src 2, 6) the value's address plus
 *       the offset in the second slot's {@code imm};
 *   <li>{@code convert_ctx_accesses}: context loads and stores rewritten for the program type
 *       ({@link CtxConversion});
 *   <li>{@code fixup_bpf_call}: helper numbers become slots in {@link Prelinked#helpers()};
 *       {@code bpf_map_lookup_elem} on an array map is inlined as {@code array_map_gen_lookup}
 *       emits it;
 *   <li>sub-programs: call and callback targets resolved into {@link Prelinked#subprogs()}.
 * </ol>
 */
public final class Prelinker {
    private Prelinker() {}

    /** How {@code lddw} pseudo map references find maps. */
    public interface MapResolver {
        /** The map behind {@code fd} ({@code BPF_PSEUDO_MAP_FD}/{@code _VALUE}). */
        AbstractBpfMap byFd(int fd) throws BpfException;

        /** The map at {@code idx} of the program's {@code fd_array} ({@code BPF_PSEUDO_MAP_IDX}/{@code _IDX_VALUE}). */
        default AbstractBpfMap byIndex(int idx) throws BpfException {
            throw new BpfException(Errno.EINVAL, "fd_idx without fd_array is invalid");
        }
    }

    /**
     * Options: {@code inlineMapLookups} is the kernel's {@code jit_requested} condition for
     * {@code map_gen_lookup}; {@code expectedAttachType} is the program's
     * {@code expected_attach_type} at load (what test_run and context rules depend on).
     */
    public record Options(boolean inlineMapLookups, Optional<AttachType> expectedAttachType) {
        public static final Options DEFAULT = new Options(true, Optional.empty());

        public Options(boolean inlineMapLookups) {
            this(inlineMapLookups, Optional.empty());
        }

        public Options withExpectedAttachType(Optional<AttachType> attach) {
            return new Options(inlineMapLookups, attach);
        }
    }

    /** A map reference found by {@link #replaceMapFdWithMapPtr}. */
    public record MapRefs(long[] insns, List<AbstractBpfMap> maps, int[] mapAtSlot) {}

    /** Runs every pass. The result holds a reference on each map it uses until {@link Prelinked#release()}. */
    public static Prelinked prelink(long[] insns, ProgramType type, MapResolver maps, HelperTable helpers, Options options)
            throws BpfException {
        InsnDecoder.validate(insns);
        List<Prelinked.Stage> stages = new ArrayList<>();
        stages.add(new Prelinked.Stage("original", insns.clone()));
        MapRefs refs = replaceMapFdWithMapPtr(insns, maps);
        stages.add(new Prelinked.Stage("replace_map_fd_with_map_ptr", refs.insns()));
        boolean ctx = CtxConversion.converts(type);
        PtrAnalysis analysis = new PtrAnalysis(refs.insns(), refs.mapAtSlot(), ctx);
        long[] converted = ctx ? CtxConversion.apply(refs.insns(), type, analysis.ctxAccess) : refs.insns().clone();
        stages.add(new Prelinked.Stage("convert_ctx_accesses", converted));
        List<Helper> slots = new ArrayList<>();
        List<ArrayMap> inlined = new ArrayList<>();
        long[] fixed = fixupBpfCall(converted, type, helpers, refs.maps(), analysis, options, slots, inlined);
        stages.add(new Prelinked.Stage("fixup_bpf_call", fixed));
        int[] subprogs = subprogs(fixed);
        stages.add(new Prelinked.Stage("resolve_subprogs", fixed));
        List<AbstractBpfMap> used = new ArrayList<>();
        try {
            for (AbstractBpfMap m : refs.maps()) used.add(m.retain());
        } catch (IllegalStateException e) {
            used.forEach(AbstractBpfMap::release);
            throw new BpfException(Errno.EBADF, e.getMessage());
        }
        List<ArrayMap> direct = new ArrayList<>(inlined);
        for (int pc = 0; pc < insns.length; pc++) {
            int src = Insn.src(insns[pc]);
            if (InsnKind.of(insns[pc]) == InsnKind.LD_IMM64) {
                if ((src == BPF_PSEUDO_MAP_VALUE || src == BPF_PSEUDO_MAP_IDX_VALUE) && refs.maps().get(refs.mapAtSlot()[pc]) instanceof ArrayMap a
                        && !direct.contains(a)) {
                    direct.add(a);
                }
                pc++;
            }
        }
        return new Prelinked(type, options.expectedAttachType(), fixed, slots, used, direct, subprogs, stages);
    }

    /** Pass 1. {@code mapAtSlot[pc]} is the index in {@code maps} of the map an lddw at pc names, or -1. */
    public static MapRefs replaceMapFdWithMapPtr(long[] insns, MapResolver resolver) throws BpfException {
        long[] out = insns.clone();
        List<AbstractBpfMap> maps = new ArrayList<>();
        int[] at = new int[insns.length];
        Arrays.fill(at, -1);
        for (int pc = 0; pc < insns.length; pc++) {
            long w = insns[pc];
            if (InsnKind.of(w) != InsnKind.LD_IMM64) continue;
            int src = Insn.src(w);
            int imm = Insn.imm(w);
            int off2 = Insn.imm(insns[pc + 1]);
            AbstractBpfMap m = switch (src) {
                case BPF_PSEUDO_MAP_FD, BPF_PSEUDO_MAP_VALUE -> {
                    AbstractBpfMap found;
                    try {
                        found = resolver.byFd(imm);
                    } catch (BpfException e) {
                        throw new BpfException(Errno.EBADF, "insn " + pc + ": fd " + imm + " is not pointing to valid bpf_map");
                    }
                    yield found;
                }
                case BPF_PSEUDO_MAP_IDX, BPF_PSEUDO_MAP_IDX_VALUE -> {
                    try {
                        yield resolver.byIndex(imm);
                    } catch (BpfException e) {
                        throw new BpfException(e.errno(), "insn " + pc + ": " + e.getMessage());
                    }
                }
                default -> null;
            };
            if (m == null) {
                if (src == BPF_PSEUDO_BTF_ID) throw new BpfException(Errno.EINVAL, "insn " + pc + ": BTF ids (ksyms) are not supported");
                pc++;
                continue;
            }
            if (m.isFreed()) throw new BpfException(Errno.EBADF, "insn " + pc + ": fd " + imm + " is not pointing to valid bpf_map");
            int index = maps.indexOf(m);
            if (index < 0) {
                index = maps.size();
                maps.add(m);
            }
            at[pc] = index;
            long address;
            if (src == BPF_PSEUDO_MAP_FD || src == BPF_PSEUDO_MAP_IDX) {
                address = m.address();
            } else {
                // map_direct_value_addr: array maps with one element
                if (!(m instanceof ArrayMap a) || a.percpu()) {
                    throw new BpfException(Errno.EINVAL, "insn " + pc + ": no direct value access support for this map type");
                }
                if (m.spec().maxEntries() != 1) {
                    throw new BpfException(Errno.ENOTSUPP, "insn " + pc + ": direct value access needs an array map with max_entries 1, "
                            + m.spec().name() + " has " + m.spec().maxEntries());
                }
                if (Integer.compareUnsigned(off2, m.spec().valueSize()) >= 0) {
                    throw new BpfException(Errno.EINVAL, "insn " + pc + ": invalid access to map value pointer, value_size="
                            + m.spec().valueSize() + " off=" + Integer.toUnsignedString(off2));
                }
                address = a.values().address() + off2;
            }
            out[pc] = Insn.encode(Insn.code(w), Insn.dst(w), 0, Insn.off(w), (int) address);
            out[pc + 1] = Insn.encode(0, 0, 0, 0, (int) (address >>> 32));
            pc++;
        }
        return new MapRefs(out, List.copyOf(maps), at);
    }

    /** Pass 2 on its own (the analysis included): for tools that show one stage. */
    public static long[] convertCtxAccesses(long[] insns, ProgramType type) throws BpfException {
        if (!CtxConversion.converts(type)) return insns.clone();
        int[] none = new int[insns.length];
        Arrays.fill(none, -1);
        return CtxConversion.apply(insns, type, new PtrAnalysis(insns, none, true).ctxAccess);
    }

    /**
     * Pass 3: helper numbers to slots of {@code slotsOut}, array lookups inlined. Calls of
     * {@code bpf_tail_call} stay calls (of the tail-call slot), which engines run themselves.
     */
    static long[] fixupBpfCall(long[] insns, ProgramType type, HelperTable helpers, List<AbstractBpfMap> maps, PtrAnalysis analysis,
            Options options, List<Helper> slotsOut, List<ArrayMap> inlinedOut) throws BpfException {
        int[] mapAtCall = analysis.mapAtCall;
        Map<Integer, long[]> patches = new HashMap<>();
        long[] out = insns.clone();
        for (int pc = 0; pc < insns.length; pc++) {
            long w = insns[pc];
            InsnKind kind = InsnKind.of(w);
            if (kind == InsnKind.LD_IMM64) {
                pc++;
                continue;
            }
            if (kind == InsnKind.LD_ABS || kind == InsnKind.LD_IND) {
                patches.put(pc, genLdAbs(pc, w, type, analysis, slotsOut));
                continue;
            }
            if (kind != InsnKind.CALL_HELPER) continue;
            int id = Insn.imm(w);
            Helper h;
            try {
                h = helpers.require(id);
            } catch (BpfException e) {
                throw new BpfException(Errno.EINVAL, "insn " + pc + ": " + e.getMessage());
            }
            // Only plain arrays are inlined. An array_of_maps lookup stays a call (the kernel inlines it as
            // array_of_map_gen_lookup): the helper holds the inner map for the run, which inline code cannot;
            // a lookup in an inner map has no constant map at the call (r1 came from r0), so it is a call too.
            if (options.inlineMapLookups() && id == MapHelpers.BPF_FUNC_map_lookup_elem && mapAtCall[pc] >= 0
                    && maps.get(mapAtCall[pc]) instanceof ArrayMap a && !a.percpu()) {
                patches.put(pc, arrayMapGenLookup(a));
                if (!inlinedOut.contains(a)) inlinedOut.add(a);
                continue;
            }
            int slot = slotsOut.indexOf(h);
            if (slot < 0) {
                slot = slotsOut.size();
                slotsOut.add(h);
            }
            out[pc] = Insn.withImm(w, slot);
        }
        return patches.isEmpty() ? out : Patch.apply(out, patches, null);
    }

    /**
     * {@code bpf_gen_ld_abs} (net/core/filter.c): a legacy packet load becomes a call of
     * {@code bpf_skb_load_helper_N_no_cache(skb = r6, offset)} that ends the program with r0 = 0
     * when the load fails. Only skb programs have them, with the context in r6 ({@code check_ld_abs}).
     */
    private static long[] genLdAbs(int pc, long w, ProgramType type, PtrAnalysis analysis, List<Helper> slotsOut) throws BpfException {
        if (type != ProgramType.SOCKET_FILTER && type != ProgramType.SCHED_CLS && type != ProgramType.SCHED_ACT) {
            throw new BpfException(Errno.EINVAL, "insn " + pc + ": BPF_LD_[ABS|IND] instructions not allowed for this program type");
        }
        if (!analysis.ctxInR6.get(pc)) {
            throw new BpfException(Errno.EINVAL, "insn " + pc + ": at the time of BPF_LD_ABS|IND R6 != pointer to skb");
        }
        int size = sizeBytes(bpfSize(Insn.code(w)));
        Helper h = org.obpf.core.helper.PacketHelpers.skbLoadHelper(size);
        int slot = -1;
        for (int i = 0; i < slotsOut.size(); i++) {
            if (slotsOut.get(i).id() == h.id()) slot = i;
        }
        if (slot < 0) {
            slot = slotsOut.size();
            slotsOut.add(h);
        }
        List<Long> seq = new ArrayList<>();
        if (InsnKind.of(w) == InsnKind.LD_ABS) {
            seq.add(Insn.encode(BPF_ALU64 | BPF_MOV | BPF_K, 2, 0, 0, Insn.imm(w)));
        } else {
            seq.add(Insn.encode(BPF_ALU64 | BPF_MOV | BPF_X, 2, Insn.src(w), 0, 0));
            if (Insn.imm(w) != 0) seq.add(Insn.encode(BPF_ALU64 | BPF_ADD | BPF_K, 2, 0, 0, Insn.imm(w)));
        }
        seq.add(Insn.encode(BPF_ALU64 | BPF_MOV | BPF_X, 1, 6, 0, 0));
        seq.add(Insn.encode(BPF_JMP | BPF_CALL, 0, BPF_HELPER_CALL, 0, slot));
        seq.add(Insn.encode(BPF_JMP | BPF_JSGE | BPF_K, 0, 0, 2, 0));
        seq.add(Insn.encode(BPF_ALU | BPF_XOR | BPF_X, 0, 0, 0, 0));
        seq.add(Insn.encode(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
        return seq.stream().mapToLong(Long::longValue).toArray();
    }

    /**
     * {@code array_map_gen_lookup} (kernel/bpf/arraymap.c) as a privileged loader gets it
     * ({@code bypass_spec_v1}: no index masking): r1 = map, r2 = &key, result in r0.
     */
    public static long[] arrayMapGenLookup(ArrayMap map) {
        int elemSize = map.elemSize();
        List<Long> seq = new ArrayList<>();
        seq.add(Insn.encode(BPF_ALU64 | BPF_ADD | BPF_K, 1, 0, 0, ArrayMap.VALUE_OFFSET));
        seq.add(Insn.encode(BPF_LDX | BPF_MEM | BPF_W, 0, 2, 0, 0));
        seq.add(Insn.encode(BPF_JMP | BPF_JGE | BPF_K, 0, 0, 3, map.spec().maxEntries()));
        if (Integer.bitCount(elemSize) == 1) {
            seq.add(Insn.encode(BPF_ALU64 | BPF_LSH | BPF_K, 0, 0, 0, Integer.numberOfTrailingZeros(elemSize)));
        } else {
            seq.add(Insn.encode(BPF_ALU64 | BPF_MUL | BPF_K, 0, 0, 0, elemSize));
        }
        seq.add(Insn.encode(BPF_ALU64 | BPF_ADD | BPF_X, 0, 1, 0, 0));
        seq.add(Insn.encode(BPF_JMP | BPF_JA, 0, 0, 1, 0));
        seq.add(Insn.encode(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0));
        return seq.stream().mapToLong(Long::longValue).toArray();
    }

    /** Pass 4: the first slot of every sub-program, ascending (0 first), as {@code check_subprogs} finds them. */
    public static int[] subprogs(long[] insns) {
        BitSet starts = new BitSet(insns.length);
        starts.set(0);
        for (int pc = 0; pc < insns.length; pc++) {
            long w = insns[pc];
            InsnKind kind = InsnKind.of(w);
            if (kind == InsnKind.CALL_LOCAL || kind == InsnKind.LD_IMM64 && Insn.src(w) == BPF_PSEUDO_FUNC) {
                starts.set(pc + 1 + Insn.imm(w));
            }
            if (kind == InsnKind.LD_IMM64) pc++;
        }
        return starts.stream().toArray();
    }
}
