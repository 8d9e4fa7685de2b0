package org.obpf.kernelref;

import static org.obpf.api.insn.Opcodes.*;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.obpf.api.insn.Insn;
import org.obpf.api.map.MapSpec;
import org.obpf.api.map.MapType;
import org.obpf.api.prog.ProgramType;

/**
 * Runs an OBPF {@link ProgramType#FLAT} program (r1 = memory, r2 = its length, both 0 without
 * memory; r0 at exit is the result, all 64 bits) on the kernel, which has no such program type.
 * The program becomes a bpf-to-bpf subprogram of a small wrapper that sets r1 and r2, calls it and
 * stores the full r0 where the test run gives it back (BPF_PROG_TEST_RUN's {@code retval} has
 * only 32 bits). Two mappings:
 *
 * <ul>
 * <li>{@link Mapping#SYSCALL} (the default): a {@code BPF_PROG_TYPE_SYSCALL} program. The memory
 * is the value of a one-entry array map, reached with {@code lddw r1, map_value} (pointer
 * arithmetic and any alignment allowed, bounds = the memory's length); r0 goes to the 8-byte
 * context, which test_run copies back into {@code ctx_in}.
 * <li>{@link Mapping#XDP}, what bpf_conformance's libbpf plugin does: an XDP program whose packet is
 * the memory (padded to the 14 bytes test_run wants). The wrapper checks only 8 bytes against
 * {@code data_end}, so a program reading further is refused as direct packet access without a
 * bounds check; r0 goes to the packet's first 8 bytes, read from {@code data_out}.
 * </ul>
 */
public final class FlatRunner {
    private FlatRunner() {}

    public enum Mapping { SYSCALL, XDP }

    /**
     * The verdict on the wrapped program and, if the kernel accepted and ran it, r0 and (SYSCALL
     * mapping, with memory) the memory as the program left it. The XDP mapping gives no memory:
     * the wrapper writes r0 over its first 8 bytes.
     */
    public record FlatResult(Mapping mapping, KernelVerdict verdict, OptionalLong r0, Optional<byte[]> memory) {
        public boolean accepted() {
            return verdict.accepted();
        }
    }

    private static final int ETH_HLEN = 14;
    private static final int XDP_PASS = 2;

    public static FlatResult run(long[] program, byte[] memory) throws KernelBpfException {
        return run(Mapping.SYSCALL, program, memory);
    }

    /**
     * Loads the wrapped program, runs it once if the kernel accepts it, unloads it.
     *
     * @throws KernelBpfException if the memory map cannot be created or the test run itself fails
     */
    public static FlatResult run(Mapping mapping, long[] program, byte[] memory) throws KernelBpfException {
        byte[] mem = memory == null ? new byte[0] : memory;
        return switch (mapping) {
            case SYSCALL -> runSyscall(program, mem);
            case XDP -> runXdp(program, mem);
        };
    }

    private static FlatResult runSyscall(long[] program, byte[] mem) throws KernelBpfException {
        List<MapSpec> maps = mem.length == 0 ? List.of()
                : List.of(new MapSpec("obpf_flat_mem", MapType.ARRAY, 4, mem.length, 1, 0));
        Load load = load(ProgramType.SYSCALL, syscallWrapper(program, mem.length), maps);
        if (load.program() == null) return new FlatResult(Mapping.SYSCALL, load.refusal(), OptionalLong.empty(), Optional.empty());
        try (KernelProgram prog = load.program()) {
            Optional<KernelMap> memory = prog.maps().stream().findFirst();
            if (memory.isPresent()) memory.get().update(new byte[4], mem);
            TestRunResult res = prog.testRun(TestRunAttr.context(new byte[8]));
            Optional<byte[]> after = memory.isPresent() ? memory.get().lookup(new byte[4]) : Optional.empty();
            return new FlatResult(Mapping.SYSCALL, acceptedVerdict(prog), OptionalLong.of(le64(res.ctxIn(), 0)), after);
        }
    }

    private static FlatResult runXdp(long[] program, byte[] mem) throws KernelBpfException {
        Load load = load(ProgramType.XDP, xdpWrapper(program, mem.length), List.of());
        if (load.program() == null) return new FlatResult(Mapping.XDP, load.refusal(), OptionalLong.empty(), Optional.empty());
        try (KernelProgram prog = load.program()) {
            byte[] packet = Arrays.copyOf(mem, Math.max(mem.length, ETH_HLEN));
            TestRunResult res = prog.testRun(TestRunAttr.packet(packet));
            if (res.retval() != XDP_PASS || res.dataOut().length < 8) {
                throw new IllegalStateException("XDP wrapper returned " + res.retval() + " with " + res.dataOut().length
                        + " bytes of data_out; expected XDP_PASS and the result in the first 8 bytes");
            }
            return new FlatResult(Mapping.XDP, acceptedVerdict(prog), OptionalLong.of(le64(res.dataOut(), 0)), Optional.empty());
        }
    }

    /** A loaded program, or the verdict that refused it. */
    private record Load(KernelProgram program, KernelVerdict refusal) {}

    /** Maps are created first: a map that cannot be made is an error, a refused load a verdict. */
    private static Load load(ProgramType type, long[] insns, List<MapSpec> maps) throws KernelBpfException {
        List<KernelMap> created = KernelProgram.createMaps(maps);
        KernelBpf.Loaded loaded;
        try {
            loaded = KernelBpf.progLoad(ProgLoadAttr.of(type, KernelProgram.bindMaps(insns, created)));
        } catch (KernelBpfException e) {
            KernelProgram.closeAll(created, e);
            return new Load(null, new KernelVerdict(false, e.rawErrno(), e.verifierLog(),
                    VerifierStats.parse(e.verifierLog()), Optional.empty()));
        }
        return new Load(KernelProgram.of(loaded, type, created), null);
    }

    private static KernelVerdict acceptedVerdict(KernelProgram prog) throws KernelBpfException {
        return new KernelVerdict(true, 0, prog.log(), prog.stats(), Optional.of(prog.info()));
    }

    private static long le64(byte[] b, int off) {
        long v = 0;
        for (int i = 7; i >= 0; i--) v = v << 8 | (b[off + i] & 0xffL);
        return v;
    }

    private static long mov64(int dst, int imm) {
        return Insn.encode(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm);
    }

    private static long mov64r(int dst, int src) {
        return Insn.encode(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0);
    }

    private static long[] append(long[] head, long[] program) {
        long[] out = Arrays.copyOf(head, head.length + program.length);
        System.arraycopy(program, 0, out, head.length, program.length);
        return out;
    }

    /**
     * The SYSCALL wrapper: {@code r6 = ctx; r1 = map_value(map 0) or 0; r2 = LEN; call program;
     * *(u64 *)(r6 + 0) = r0; r0 = 0; exit}, the program following as its subprogram.
     */
    public static long[] syscallWrapper(long[] program, int memLen) {
        long[] head = memLen > 0
                ? new long[] {
                    mov64r(6, 1),
                    Insn.encode(BPF_LD | BPF_IMM | BPF_DW, 1, BPF_PSEUDO_MAP_VALUE, 0, 0), // map index 0, bound later
                    Insn.encode(0, 0, 0, 0, 0), // value offset 0
                    mov64(2, memLen),
                    0, 0, 0, 0 }
                : new long[] { mov64r(6, 1), mov64(1, 0), mov64(2, 0), 0, 0, 0, 0 };
        int call = head.length - 4;
        finishWrapper(head, call, 6);
        return append(head, program);
    }

    /**
     * The XDP wrapper: {@code r7 = data; r8 = data_end; if r7 + 8 > r8 return XDP_ABORTED; r1 =
     * r7 or 0; r2 = LEN; call program; *(u64 *)(r7 + 0) = r0; return XDP_PASS}.
     */
    public static long[] xdpWrapper(long[] program, int memLen) {
        long[] head = {
            Insn.encode(BPF_LDX | BPF_MEM | BPF_W, 7, 1, 0, 0), // data
            Insn.encode(BPF_LDX | BPF_MEM | BPF_W, 8, 1, 4, 0), // data_end
            mov64r(9, 7),
            Insn.encode(BPF_ALU64 | BPF_ADD | BPF_K, 9, 0, 0, 8),
            Insn.encode(BPF_JMP | BPF_JLE | BPF_X, 9, 8, 2, 0), // room for r0: go on
            mov64(0, 0), // XDP_ABORTED
            Insn.encode(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
            memLen > 0 ? mov64r(1, 7) : mov64(1, 0),
            mov64(2, memLen),
            0, 0, 0, 0 };
        finishWrapper(head, head.length - 4, 7);
        head[head.length - 2] = mov64(0, XDP_PASS);
        return append(head, program);
    }

    /** call program (placed right after head); *(u64 *)(rBase + 0) = r0; r0 = 0; exit. */
    private static void finishWrapper(long[] head, int call, int base) {
        head[call] = Insn.encode(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, head.length - (call + 1));
        head[call + 1] = Insn.encode(BPF_STX | BPF_MEM | BPF_DW, base, 0, 0, 0);
        head[call + 2] = mov64(0, 0);
        head[call + 3] = Insn.encode(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
    }
}
