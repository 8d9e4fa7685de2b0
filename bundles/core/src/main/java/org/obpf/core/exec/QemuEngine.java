package org.obpf.core.exec;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.obpf.api.BpfException;
import org.obpf.api.Errno;
import org.obpf.api.insn.InvalidInsnException;
import org.obpf.api.jit.CompileOptions;
import org.obpf.api.jit.CompileRequest;
import org.obpf.api.jit.Feature;
import org.obpf.api.jit.JitBackend;
import org.obpf.api.jit.JitException;
import org.obpf.api.jit.LinkException;
import org.obpf.api.jit.LinkedImage;
import org.obpf.api.jit.RelocatableImage;
import org.obpf.api.jit.Symbol;
import org.obpf.api.jit.SymbolTable;
import org.obpf.api.jit.code.ObjectWriter;
import org.obpf.api.prog.ProgramType;
import org.obpf.core.conformance.Engine;
import org.obpf.core.interp.ExecutionException;
import org.obpf.core.verifier.Zext;

/**
 * A back-end for a processor that is not the host's, as a conformance {@link Engine}: the code
 * runs under QEMU user mode with a harness of ours ({@code riscv-harness.c}, a resource of this
 * package; freestanding C built once per JVM with the cross gcc) that provides the run context of
 * {@link org.obpf.api.jit.code.HostAbi}, the test memory, a few helpers and {@code bpf_tail_call}.
 *
 * <ul>
 * <li>{@link #run}: compile, write the image as an ELF object ({@link ObjectWriter}), link it with
 *     the harness by GNU ld, run it under QEMU: the path the conformance plugin takes, where GNU ld
 *     applies the relocations;</li>
 * <li>{@link #runAll}: compile each program, {@link JitBackend#link link} it at the harness's code
 *     area against the addresses the harness reports, and run the whole batch in one QEMU
 *     process: the back-end's own link, and fast enough for suites of hundreds of programs.</li>
 * </ul>
 * Supported arches: {@code riscv64} and {@code riscv32}. Not thread-safe.
 */
public final class QemuEngine implements Engine {

    /** How to build and run for one arch. */
    record Target(String arch, String march, String mabi, String ldEmulation, String qemu) {}

    static final Map<String, Target> TARGETS = Map.of(
            "riscv64", new Target("riscv64", "rv64imac", "lp64", "elf64lriscv", "qemu-riscv64"),
            "riscv32", new Target("riscv32", "rv32imac", "ilp32", "elf32lriscv", "qemu-riscv32"));

    static final String GCC = "riscv64-linux-gnu-gcc";
    static final String LD = "riscv64-linux-gnu-ld";
    static final String HARNESS = "riscv-harness.c";
    static final int JOB_MAGIC = 0x4a465042;
    static final long TIMEOUT_SECONDS = 120;

    private final JitBackend backend;
    private final ObjectWriter writer;
    private final CompileOptions options;
    private final boolean verifierZext;
    private final Target target;

    /** The harness built for one arch: directory, its object, its batch executable and symbol addresses. */
    private record Harness(Path dir, Path object, Path executable, Map<String, Long> symbols, long codeBase) {}

    private static final Map<String, Harness> HARNESSES = new HashMap<>();

    public QemuEngine(JitBackend backend, ObjectWriter writer, CompileOptions options) {
        this(backend, writer, options, false);
    }

    /**
     * @param verifierZext when the back-end {@link JitBackend#needsZext() needs} it, make 32-bit zero
     *                     extension explicit first ({@link Zext}, as the verifier does before a JIT
     *                     compiles) and compile with {@code zextInserted}; else the back-end
     *                     zero-extends by itself
     */
    public QemuEngine(JitBackend backend, ObjectWriter writer, CompileOptions options, boolean verifierZext) {
        this.verifierZext = verifierZext;
        this.backend = Objects.requireNonNull(backend, "backend");
        this.writer = Objects.requireNonNull(writer, "writer");
        this.options = options == null ? CompileOptions.DEFAULT : options;
        this.target = TARGETS.get(backend.arch());
        if (target == null) throw new IllegalArgumentException("no QEMU target for arch " + backend.arch() + "; known: " + TARGETS.keySet());
        if (!writer.arch().equals(backend.arch())) {
            throw new IllegalArgumentException("object writer for " + writer.arch() + " given with back-end " + backend.arch());
        }
    }

    @Override
    public String name() {
        return backend.arch();
    }

    /**
     * The RFC 9669 groups, less the atomic ones the back-end's capabilities leave out (riscv32:
     * atomic64, unless compiled to call the harness's firmware atomic routines).
     */
    @Override
    public Set<String> groups() {
        Set<String> g = new TreeSet<>(RFC9669_GROUPS);
        // riscv32 with xobpfatomic: the harness provides the firmware atomic routines.
        boolean fw = options.extensions().contains(org.obpf.api.offload.FirmwareAtomics.EXTENSION);
        if (!fw && !backend.capabilities().supports(Feature.ATOMIC64)) g.remove("atomic64");
        if (!backend.capabilities().supports(Feature.ATOMIC32)) g.remove("atomic32");
        return g;
    }

    /** The tools this engine needs that are not on the PATH, for an arch; empty when all are there. */
    public static List<String> missingTools(String arch) {
        Target t = TARGETS.get(arch);
        if (t == null) return List.of("a QEMU target for " + arch);
        return Stream.of(GCC, LD, t.qemu).filter(tool -> !onPath(tool)).toList();
    }

    static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty() && new File(dir, tool).canExecute()) return true;
        }
        return false;
    }

    /**
     * Engines for the non-host back-ends with a QEMU target found with {@link ServiceLoader}
     * ({@code JitBackend} and {@code ObjectWriter} services of the same arch), when the cross tools
     * are installed.
     */
    public static Map<String, Supplier<Engine>> discover(ClassLoader loader) {
        Map<String, Supplier<Engine>> m = new TreeMap<>();
        Map<String, ObjectWriter> writers = new HashMap<>();
        for (var p : ServiceLoader.load(ObjectWriter.class, loader).stream().toList()) {
            try {
                ObjectWriter w = p.get();
                writers.putIfAbsent(w.arch(), w);
            } catch (RuntimeException | java.util.ServiceConfigurationError e) {
                // a broken provider is not an engine
            }
        }
        for (var p : ServiceLoader.load(JitBackend.class, loader).stream().toList()) {
            JitBackend b;
            try {
                b = p.get();
            } catch (RuntimeException | java.util.ServiceConfigurationError e) {
                continue;
            }
            ObjectWriter w = writers.get(b.arch());
            if (TARGETS.containsKey(b.arch()) && w != null && missingTools(b.arch()).isEmpty()) {
                m.putIfAbsent(b.arch(), () -> new QemuEngine(b, w, CompileOptions.DEFAULT));
            }
        }
        return m;
    }

    private RelocatableImage compile(long[] program) throws BpfException {
        boolean zext = verifierZext && backend.needsZext();
        try {
            long[] prog = zext ? Zext.insert(program).prog() : program;
            return backend.compile(new CompileRequest("conformance", ProgramType.SOCKET_FILTER, prog, null, null, zext, options));
        } catch (JitException e) {
            throw new BpfException(Errno.EINVAL, e.getMessage(), e);
        } catch (InvalidInsnException e) {
            throw new BpfException(Errno.EINVAL, "insn " + e.index() + ": " + e.reason(), e);
        }
    }

    @Override
    public long run(long[] program, byte[] memory) throws BpfException {
        RelocatableImage image = compile(program);
        Harness h = harness(target);
        try {
            Path dir = Files.createTempDirectory("obpf-qemu-run-");
            try {
                Path obj = dir.resolve("prog.o");
                Path exe = dir.resolve("prog");
                Path mem = dir.resolve("mem");
                Files.write(obj, writer.write(image, "bpf_prog"));
                Files.write(mem, memory == null ? new byte[0] : memory);
                exec(List.of(LD, "-m", target.ldEmulation, "-static", "--no-relax", "-o", exe.toString(),
                        h.object.toString(), obj.toString()), null);
                String out = exec(List.of(target.qemu, exe.toString(), mem.toString()), null);
                List<Long> r = parse(out, 1);
                return r.getFirst();
            } finally {
                deleteTree(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A program, its memory, and the programs of its program array (map index 0, the harness's
     * {@code bpf_map_0}) that its tail calls reach by index; for {@link #runAll}.
     */
    public record Job(long[] program, byte[] memory, List<long[]> progArray) {
        public Job {
            progArray = progArray == null ? List.of() : List.copyOf(progArray);
        }

        public Job(long[] program, byte[] memory) {
            this(program, memory, List.of());
        }
    }

    /** The outcome of one job: r0, or why it has none. */
    public record Result(Long r0, BpfException error) {}

    /**
     * Runs every job in one QEMU process (more if one crashes the harness: the rest then run in a
     * new one). A job that cannot be compiled or linked, or whose run fails, has an error.
     */
    public List<Result> runAll(List<Job> jobs) {
        Harness h = harness(target);
        Result[] results = new Result[jobs.size()];
        ByteArrayOutputStream input = new ByteArrayOutputStream();
        List<Integer> batch = new ArrayList<>();
        List<Integer> start = new ArrayList<>(); // byte offset of each batched job, to restart after a crash
        for (int i = 0; i < jobs.size(); i++) {
            Job job = jobs.get(i);
            try {
                List<long[]> progs = new ArrayList<>();
                progs.add(job.program);
                progs.addAll(job.progArray);
                ByteArrayOutputStream jobBytes = new ByteArrayOutputStream();
                byte[] mem = job.memory == null ? new byte[0] : job.memory;
                jobBytes.writeBytes(le(JOB_MAGIC, progs.size(), mem.length));
                int at = 0;
                for (long[] p : progs) {
                    LinkedImage linked = link(compile(p), h, at);
                    jobBytes.writeBytes(le(at, linked.size(), linked.subprogOffsets()[0]));
                    jobBytes.writeBytes(linked.code());
                    at = (at + linked.size() + 15) & ~15;
                }
                jobBytes.writeBytes(mem);
                start.add(input.size());
                input.writeBytes(jobBytes.toByteArray());
                batch.add(i);
            } catch (BpfException e) {
                results[i] = new Result(null, e);
            }
        }
        byte[] all = input.toByteArray();
        start.add(all.length);
        int done = 0;
        while (done < batch.size()) {
            byte[] rest = java.util.Arrays.copyOfRange(all, start.get(done), all.length);
            ProcessOutcome o = execRaw(List.of(target.qemu, h.executable.toString(), "-b"), rest);
            String[] lines = o.out.isEmpty() ? new String[0] : o.out.split("\n");
            int k = 0;
            for (String line : lines) {
                if (done + k >= batch.size()) break;
                results[batch.get(done + k)] = result(line);
                k++;
            }
            done += k;
            if (done < batch.size() && o.exit == 0) throw new IllegalStateException("harness stopped after " + done + " jobs without error");
            if (done < batch.size()) { // the job in progress took the harness down
                results[batch.get(done)] = new Result(null, new ExecutionException(Errno.EFAULT, -1,
                        "the run crashed under " + target.qemu + " (exit " + o.exit + "): " + o.err.strip(), null));
                done++;
            }
        }
        return List.of(results);
    }

    /** Links {@code image} at {@code offset} in the harness's code area against the harness's symbols. */
    private LinkedImage link(RelocatableImage image, Harness h, int offset) throws BpfException {
        SymbolTable.Builder st = SymbolTable.at(h.codeBase + offset);
        for (var e : h.symbols.entrySet()) st.bind(symbolOf(e.getKey()), e.getValue());
        try {
            return backend.link(image, st.build());
        } catch (LinkException e) {
            throw new BpfException(Errno.EINVAL, e.getMessage(), e);
        }
    }

    private static byte[] le(int... words) {
        ByteBuffer b = ByteBuffer.allocate(4 * words.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int w : words) b.putInt(w);
        return b.array();
    }

    /** The harness's names: {@code bpf_helper_N}, {@code bpf_map_N}, {@code bpf_map_value_N}, runtime routines. */
    private static Symbol symbolOf(String name) {
        if (name.startsWith("bpf_helper_")) return Symbol.helper(Integer.parseInt(name.substring("bpf_helper_".length())));
        if (name.startsWith("bpf_map_value_")) return Symbol.mapValue(Integer.parseInt(name.substring("bpf_map_value_".length())));
        if (name.startsWith("bpf_map_")) return Symbol.map(Integer.parseInt(name.substring("bpf_map_".length())));
        return Symbol.runtime(name);
    }

    private static Result result(String line) {
        try {
            return new Result(parseLine(line), null);
        } catch (BpfException e) {
            return new Result(null, e);
        }
    }

    private static List<Long> parse(String out, int expected) throws BpfException {
        List<Long> r = new ArrayList<>();
        for (String line : out.split("\n")) if (!line.isBlank()) r.add(parseLine(line));
        if (r.size() != expected) throw new IllegalStateException("harness printed " + r.size() + " results, expected " + expected + ": " + out);
        return r;
    }

    private static long parseLine(String line) throws BpfException {
        String[] w = line.strip().split(" ");
        if (w.length == 2 && w[0].equals("r0")) return Long.parseUnsignedLong(w[1], 16);
        if (w.length == 4 && w[0].equals("error")) {
            int errno = Integer.parseInt(w[1], 16);
            int insn = Integer.parseInt(w[3], 16);
            Errno e = Stream.of(Errno.values()).filter(x -> x.value() == errno).findFirst().orElse(Errno.EFAULT);
            throw new ExecutionException(e, insn, "insn " + insn + ": the run ended with " + e, null);
        }
        throw new IllegalStateException("unexpected harness output: " + line);
    }

    // ---- the harness ----

    /**
     * The harness for an arch, built once per machine: its object and executable are cached in
     * {@code java.io.tmpdir} under a name with the hash of its source and build flags (the
     * conformance plugin runs once per test, and building takes longer than running), moved into
     * place atomically so that concurrent processes never see half of it.
     */
    private static synchronized Harness harness(Target t) {
        Harness h = HARNESSES.get(t.arch);
        if (h != null) return h;
        List<String> missing = missingTools(t.arch);
        if (!missing.isEmpty()) throw new IllegalStateException("cannot run " + t.arch + " code: " + String.join(", ", missing) + " not installed");
        try {
            byte[] source;
            try (InputStream in = QemuEngine.class.getResourceAsStream(HARNESS)) {
                if (in == null) throw new IllegalStateException("resource " + HARNESS + " is missing from core");
                source = in.readAllBytes();
            }
            List<String> cflags = List.of("-O2", "-ffreestanding", "-fno-builtin", "-nostdlib", "-static", "-mno-relax", "-fno-pic",
                    "-march=" + t.march, "-mabi=" + t.mabi);
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
            md.update(source);
            md.update(String.join(" ", cflags).getBytes(StandardCharsets.UTF_8));
            String hash = java.util.HexFormat.of().formatHex(md.digest()).substring(0, 16);
            Path dir = Path.of(System.getProperty("java.io.tmpdir"), "obpf-qemu-harness-" + t.arch + "-" + hash);
            Path obj = dir.resolve("harness.o");
            Path exe = dir.resolve("harness");
            if (!Files.isRegularFile(exe)) {
                Path work = Files.createTempDirectory(dir.getParent(), "obpf-qemu-build-");
                try {
                    Path src = work.resolve(HARNESS);
                    Files.write(src, source);
                    List<String> cc = new ArrayList<>(List.of(GCC));
                    cc.addAll(cflags);
                    cc.addAll(List.of("-c", src.toString(), "-o", work.resolve("harness.o").toString()));
                    exec(cc, null);
                    exec(List.of(LD, "-m", t.ldEmulation, "-static", "--no-relax", "-o", work.resolve("harness").toString(),
                            work.resolve("harness.o").toString()), null);
                    try {
                        Files.move(work, dir, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                    } catch (IOException raced) {
                        if (!Files.isRegularFile(exe)) throw raced; // else another process put it there first
                    }
                } finally {
                    if (Files.exists(work)) deleteTree(work);
                }
            }
            Map<String, Long> symbols = new TreeMap<>();
            long codeBase = -1;
            for (String line : exec(List.of(t.qemu, exe.toString(), "-s"), null).split("\n")) {
                String[] w = line.strip().split(" ");
                if (w.length != 2) continue;
                long v = Long.parseUnsignedLong(w[1], 16);
                if (w[0].equals("CODE_BASE")) codeBase = v;
                else symbols.put(w[0], v);
            }
            if (codeBase < 0) throw new IllegalStateException("the harness did not report its code area");
            h = new Harness(dir, obj, exe, Map.copyOf(symbols), codeBase);
            HARNESSES.put(t.arch, h);
            return h;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private record ProcessOutcome(int exit, String out, String err) {}

    private static ProcessOutcome execRaw(List<String> cmd, byte[] stdin) {
        try {
            Process p = new ProcessBuilder(cmd).start();
            Thread feeder = new Thread(() -> {
                try (OutputStream os = p.getOutputStream()) {
                    if (stdin != null) os.write(stdin);
                } catch (IOException ignored) {
                    // the process ended early; its exit status says why
                }
            });
            feeder.start();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Thread drain = new Thread(() -> {
                try {
                    p.getErrorStream().transferTo(err);
                } catch (IOException ignored) {
                    // nothing more to read
                }
            });
            drain.start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", cmd) + " did not finish in " + TIMEOUT_SECONDS + " s");
            }
            feeder.join();
            drain.join();
            return new ProcessOutcome(p.exitValue(), new String(out, StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + cmd.getFirst());
        }
    }

    private static String exec(List<String> cmd, byte[] stdin) {
        ProcessOutcome o = execRaw(cmd, stdin);
        if (o.exit != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed (exit " + o.exit + "): " + (o.err + o.out).strip());
        }
        return o.out;
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort for temporary files
        }
    }
}
