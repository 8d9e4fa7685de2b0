package org.obpf.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code ./obpf conformance-plugin} driven the way the upstream bpf_conformance runner drives a
 * plugin: through a two-line wrapper script started directly (no shell), one process per test,
 * the program on standard input as base16 bytes separated by white space, the memory as the
 * first argument, the plugin options after it, r0 read back in hex. Every vector of the suite's
 * {@code vectors.tsv} (the programs as the runner assembles them) is run.
 */
class ConformancePluginProtocolTest {
    /** Engines other than the interpreter run every SAMPLE_STRIDE-th vector unless obpf.conformance.full is set. */
    static final int SAMPLE_STRIDE = 5;
    private static final Path ROOT = Path.of(System.getProperty("obpf.root", "..")).toAbsolutePath().normalize();

    record Vector(String name, long result, String memory, String program) {}

    record Run(Vector v, int exit, String out, String err) {}

    static Path suite() {
        for (Path d = ROOT; d != null; d = d.getParent()) {
            Path c = d.resolve("shared/conformance/vectors.tsv");
            if (Files.isRegularFile(c)) return c;
        }
        throw new IllegalStateException("no shared/conformance/vectors.tsv above " + ROOT);
    }

    static List<Vector> vectors() throws IOException {
        List<Vector> out = new ArrayList<>();
        for (String line : Files.readAllLines(suite())) {
            if (line.startsWith("#") || line.isBlank()) continue;
            String[] f = line.split("\t", -1);
            out.add(new Vector(f[0], Long.parseUnsignedLong(f[1], 16), f[2], f[3]));
        }
        return out;
    }

    /** The runner's base16 form: two hex digits per byte, separated by white space. */
    static String spaced(String hex) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < hex.length(); i += 2) sb.append(i == 0 ? "" : "  ").append(hex, i, i + 2);
        return sb.toString();
    }

    static Run run(Path wrapper, Vector v, String engine) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(wrapper.toString()));
        if (!v.memory().isEmpty()) cmd.add(spaced(v.memory()));
        cmd.addAll(List.of("--engine", engine));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("OBPF_NO_BUILD", "1");
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        try (var in = p.getOutputStream()) {
            in.write((spaced(v.program()) + "\n").getBytes(StandardCharsets.US_ASCII));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(v.name() + ": plugin did not finish in 30 s");
        }
        return new Run(v, p.exitValue(), out.strip(), err.strip());
    }

    @ParameterizedTest
    @ValueSource(strings = {"interp", "x86_64", "riscv64", "riscv32", "rfpc", "nfp"})
    void everyVectorThroughTheWrapperScript(String engine, @TempDir Path tmp) throws Exception {
        if (engine.startsWith("riscv")) requireRiscvTools(engine);
        Path wrapper = tmp.resolve("obpf-plugin");
        Files.writeString(wrapper, "#!/bin/sh\nexec '" + ROOT.resolve("obpf") + "' conformance-plugin \"$@\"\n");
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));

        List<Vector> all = vectors();
        assertEquals(313, all.size());
        // One JVM per vector is the protocol's cost (0.3-0.5 s each): the interpreter goes through
        // all 313, the other engines through every FULL_STRIDE-th vector (their modules run the whole
        // suite in-process or batched under QEMU); -Dobpf.conformance.full=true runs all for each.
        int stride = engine.equals("interp") || Boolean.getBoolean("obpf.conformance.full") ? 1 : SAMPLE_STRIDE;
        List<Vector> vectors = new ArrayList<>();
        for (int i = 0; i < all.size(); i += stride) vectors.add(all.get(i));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<Run>> futures = new ArrayList<>();
        for (Vector v : vectors) futures.add(pool.submit(() -> run(wrapper, v, engine)));
        Map<String, String> nfpRefusals = engine.equals("nfp") ? nfpRefusals() : Map.of();
        List<String> wrong = new ArrayList<>();
        int passed = 0;
        int refused = 0;
        for (Future<Run> f : futures) {
            Run r = f.get();
            String nfpReason = nfpRefusals.get(r.v().name());
            if (nfpReason != null) {
                // The NFP takes what the kernel's NFP offload takes; the rest fails with the query's reason.
                assertEquals(1, r.exit(), r.toString());
                assertTrue(r.err().contains(nfpReason), r.v().name() + ": expected '" + nfpReason + "' in '" + r.err() + "'");
                refused++;
                continue;
            }
            if (engine.equals("riscv32") && hasAtomic64(r.v().program())) {
                // RV32A has no 64-bit atomics: refused with the reason, as the back-end's capabilities say.
                assertEquals(1, r.exit(), r.toString());
                assertTrue(r.err().contains("64-bit atomic operations are not supported by riscv32"), r.err());
                refused++;
                continue;
            }
            if (r.v().name().equals("callx.data")) {
                // Not RFC 9669 (the runner's own callx group): refused with a reason, as the README of the suite allows.
                assertEquals(1, r.exit(), r.toString());
                assertTrue(r.err().matches("(?s).*(callx|unknown opcode 8d).*"), r.err());
                continue;
            }
            String hex = r.out().startsWith("0x") ? r.out().substring(2) : r.out();
            if (r.exit() != 0 || hex.isEmpty() || Long.parseUnsignedLong(hex, 16) != r.v().result()) {
                wrong.add(r.v().name() + ": exit " + r.exit() + ", out '" + r.out() + "', err '" + r.err() + "'");
            } else {
                passed++;
            }
        }
        pool.shutdown();
        long callx = vectors.stream().filter(v -> v.name().equals("callx.data")).count();
        System.out.println("conformance-plugin --engine " + engine + " through the runner protocol: " + passed + "/" + (vectors.size() - callx)
                + " passed" + (refused > 0 ? ", " + refused + " refused" : "") + (stride > 1 ? " (every " + stride + "th vector of 313)" : ""));
        assertEquals(List.of(), wrong);
        // rfpc: its RV32IMC cores have no atomics, its firmware performs them (every one passes).
        long expectRefused = engine.equals("riscv32") ? vectors.stream().filter(v -> hasAtomic64(v.program())).count()
                : vectors.stream().filter(v -> nfpRefusals.containsKey(v.name())).count();
        assertEquals(expectRefused, refused);
        assertEquals(vectors.size() - callx - expectRefused, passed);
    }

    /**
     * The conformance tests the NFP refuses, with the reason: offload-nfp's golden file, which its
     * NfpConformanceTest checks in-process ({@code name.data: reason} lines).
     */
    static Map<String, String> nfpRefusals() throws IOException {
        Map<String, String> m = new java.util.HashMap<>();
        for (String line : Files.readAllLines(ROOT.resolve("bundles/offload-nfp/src/test/resources/conformance-nfp.txt"))) {
            int colon = line.indexOf(".data: ");
            if (line.startsWith("#") || colon < 0) continue;
            m.put(line.substring(0, colon + 5), line.substring(colon + 7));
        }
        return m;
    }

    /** True if the program (hex, 8-byte slots) has a 64-bit atomic: opcode BPF_STX | BPF_ATOMIC | BPF_DW. */
    static boolean hasAtomic64(String programHex) {
        for (int i = 0; i + 2 <= programHex.length(); i += 16) {
            if (programHex.regionMatches(true, i, "db", 0, 2)) return true;
        }
        return false;
    }

    /** The RISC-V engines need the cross tools and QEMU: a missing one aborts the test, or fails it under CI. */
    static void requireRiscvTools(String engine) {
        for (String tool : List.of("riscv64-linux-gnu-gcc", "riscv64-linux-gnu-ld", "qemu-" + engine)) {
            boolean found = false;
            for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
                if (!dir.isEmpty() && new java.io.File(dir, tool).canExecute()) found = true;
            }
            if (found) continue;
            String why = tool + " is not installed (Debian packages qemu-user, binutils-riscv64-linux-gnu, gcc-riscv64-linux-gnu)";
            if (System.getenv("CI") != null) org.junit.jupiter.api.Assertions.fail("CI must run the RISC-V engines, but " + why);
            org.junit.jupiter.api.Assumptions.abort(why);
        }
    }
}
