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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./obpf conformance-plugin} driven the way the upstream bpf_conformance runner drives a
 * plugin: through a two-line wrapper script started directly (no shell), one process per test,
 * the program on standard input as base16 bytes separated by white space, the memory as the
 * first argument, the plugin options after it, r0 read back in hex. Every vector of the suite's
 * {@code vectors.tsv} (the programs as the runner assembles them) is run.
 */
class ConformancePluginProtocolTest {
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

    static Run run(Path wrapper, Vector v) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(wrapper.toString()));
        if (!v.memory().isEmpty()) cmd.add(spaced(v.memory()));
        cmd.addAll(List.of("--engine", "interp"));
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

    @Test
    void everyVectorThroughTheWrapperScript(@TempDir Path tmp) throws Exception {
        Path wrapper = tmp.resolve("obpf-plugin");
        Files.writeString(wrapper, "#!/bin/sh\nexec '" + ROOT.resolve("obpf") + "' conformance-plugin \"$@\"\n");
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));

        List<Vector> vectors = vectors();
        assertEquals(313, vectors.size());
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<Run>> futures = new ArrayList<>();
        for (Vector v : vectors) futures.add(pool.submit(() -> run(wrapper, v)));
        List<String> wrong = new ArrayList<>();
        int passed = 0;
        for (Future<Run> f : futures) {
            Run r = f.get();
            if (r.v().name().equals("callx.data")) {
                // Not RFC 9669 (the runner's own callx group): refused with a reason, as the README of the suite allows.
                assertEquals(1, r.exit(), r.toString());
                assertTrue(r.err().contains("callx"), r.err());
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
        System.out.println("conformance-plugin --engine interp through the runner protocol: " + passed + "/312 passed");
        assertEquals(List.of(), wrong);
        assertEquals(312, passed);
    }
}
