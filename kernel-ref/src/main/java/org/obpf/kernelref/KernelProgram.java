package org.obpf.kernelref;

import static org.obpf.api.insn.Opcodes.BPF_DW;
import static org.obpf.api.insn.Opcodes.BPF_IMM;
import static org.obpf.api.insn.Opcodes.BPF_LD;
import static org.obpf.api.insn.Opcodes.BPF_PSEUDO_MAP_FD;
import static org.obpf.api.insn.Opcodes.BPF_PSEUDO_MAP_VALUE;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.obpf.api.insn.Insn;
import org.obpf.api.map.MapSpec;
import org.obpf.api.prog.ProgramType;

/**
 * A program loaded into the kernel, with the maps created for it. Closing it closes the program's
 * fd and then the maps'.
 *
 * <p>Map references follow OBPF's {@code ./obpf verify --map} convention: a {@code lddw} with
 * {@code src = 1} ({@code BPF_PSEUDO_MAP_FD}) or {@code src = 2} ({@code BPF_PSEUDO_MAP_VALUE})
 * and {@code imm = K} names the K-th map given; K is replaced by that map's fd before loading.
 */
public final class KernelProgram implements AutoCloseable {
    private final int fd;
    private final ProgramType type;
    private final String log;
    private final List<KernelMap> maps;
    private boolean closed;

    private KernelProgram(int fd, ProgramType type, String log, List<KernelMap> maps) {
        this.fd = fd;
        this.type = type;
        this.log = log;
        this.maps = List.copyOf(maps);
    }

    /** Loads a GPL program of {@code type} at log level 1 + stats, creating {@code maps} for it first. */
    public static KernelProgram load(ProgramType type, long[] insns, List<MapSpec> maps) throws KernelBpfException {
        return load(ProgLoadAttr.of(type, insns), maps);
    }

    /**
     * Creates {@code maps}, binds the program's map references to their fds and loads it.
     *
     * @throws KernelBpfException if a map cannot be created or the verifier refuses the program
     *         (then with its log); maps created so far are closed
     */
    public static KernelProgram load(ProgLoadAttr attr, List<MapSpec> maps) throws KernelBpfException {
        List<KernelMap> created = createMaps(maps);
        try {
            KernelBpf.Loaded loaded = KernelBpf.progLoad(attr.withInsns(bindMaps(attr.insns(), created)));
            return new KernelProgram(loaded.fd(), attr.progType(), loaded.log(), created);
        } catch (KernelBpfException | RuntimeException e) {
            closeAll(created, e);
            throw e;
        }
    }

    /**
     * One-shot: loads the program (maps created for it), runs it once with {@code attr} and
     * unloads it.
     *
     * @throws KernelBpfException if a map cannot be created, the verifier refuses the program
     *         (with its log) or the run fails
     */
    public static TestRunResult loadAndRun(ProgramType type, long[] insns, List<MapSpec> maps, TestRunAttr attr)
            throws KernelBpfException {
        try (KernelProgram p = load(type, insns, maps)) {
            return p.testRun(attr);
        }
    }

    static KernelProgram of(KernelBpf.Loaded loaded, ProgramType type, List<KernelMap> maps) {
        return new KernelProgram(loaded.fd(), type, loaded.log(), maps);
    }

    static List<KernelMap> createMaps(List<MapSpec> specs) throws KernelBpfException {
        return createMaps(specs, java.util.Map.of());
    }

    /** The maps of {@code specs}, map-in-maps with their inner map templates (by map index). */
    static List<KernelMap> createMaps(List<MapSpec> specs, java.util.Map<Integer, MapSpec> innerMaps) throws KernelBpfException {
        List<KernelMap> created = new ArrayList<>();
        try {
            for (int i = 0; i < specs.size(); i++) created.add(KernelMap.create(specs.get(i), innerMaps.get(i)));
        } catch (KernelBpfException e) {
            closeAll(created, e);
            throw e;
        }
        return created;
    }

    static void closeAll(List<KernelMap> maps, Exception primary) {
        for (KernelMap m : maps) {
            try {
                m.close();
            } catch (KernelBpfException e) {
                primary.addSuppressed(e);
            }
        }
    }

    /** The program with every {@code lddw src 1|2, imm K} rewritten to the fd of {@code maps.get(K)}. */
    public static long[] bindMaps(long[] insns, List<KernelMap> maps) {
        long[] out = insns.clone();
        for (int pc = 0; pc < out.length; pc++) {
            if (Insn.code(out[pc]) != (BPF_LD | BPF_IMM | BPF_DW)) continue;
            int src = Insn.src(out[pc]);
            if (src == BPF_PSEUDO_MAP_FD || src == BPF_PSEUDO_MAP_VALUE) {
                int k = Insn.imm(out[pc]);
                if (k < 0 || k >= maps.size()) {
                    throw new IllegalArgumentException("insn " + pc + ": lddw src " + src + " names map " + k
                            + " but " + maps.size() + " map(s) were given");
                }
                out[pc] = Insn.withImm(out[pc], maps.get(k).fd());
            }
            pc++; // the second slot
        }
        return out;
    }

    public int fd() {
        return fd;
    }

    public ProgramType type() {
        return type;
    }

    /** The verifier's log of the load (empty at log level 0). */
    public String log() {
        return log;
    }

    public Optional<VerifierStats> stats() {
        return VerifierStats.parse(log);
    }

    public List<KernelMap> maps() {
        return maps;
    }

    public ProgInfo info() throws KernelBpfException {
        return KernelBpf.progInfo(fd);
    }

    /** The kernel's translated program (after its rewrites), one word per slot. */
    public long[] xlated() throws KernelBpfException {
        return KernelBpf.progXlated(fd);
    }

    /** The JIT's machine code. */
    public byte[] jited() throws KernelBpfException {
        return KernelBpf.progJited(fd);
    }

    public TestRunResult testRun(TestRunAttr attr) throws KernelBpfException {
        return KernelBpf.progTestRun(fd, attr);
    }

    @Override
    public void close() throws KernelBpfException {
        if (closed) return;
        closed = true;
        KernelBpfException failure = null;
        try {
            KernelBpf.close(fd);
        } catch (KernelBpfException e) {
            failure = e;
        }
        for (KernelMap m : maps) {
            try {
                m.close();
            } catch (KernelBpfException e) {
                if (failure == null) failure = e;
                else failure.addSuppressed(e);
            }
        }
        if (failure != null) throw failure;
    }
}
