package org.obpf.core.conformance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.obpf.api.BpfException;

/**
 * The conformance suite as data: every {@code .data} file of a directory, run on any
 * {@link Engine}. One runner for every engine, as bpf_conformance does it.
 */
public final class ConformanceSuite {

    /** System property naming the suite directory, overriding the search. */
    public static final String DIR_PROPERTY = "obpf.conformance.dir";

    /** One test: its expectations from the {@code .data} file and its program. */
    public record TestCase(String name, DataFile data, long[] program, Set<String> groups) {}

    public enum Status { PASS, FAIL, ERROR, SKIP }

    /** What running one test on one engine gave. {@code actual} is r0 when the run returned. */
    public record Outcome(String name, Status status, long expected, Long actual, String detail) {
        @Override
        public String toString() {
            return name + ": " + status + (detail.isEmpty() ? "" : " (" + detail + ")");
        }
    }

    private final Path dir;
    private final List<TestCase> cases;

    private ConformanceSuite(Path dir, List<TestCase> cases) {
        this.dir = dir;
        this.cases = cases;
    }

    /**
     * Where each test's program comes from: {@code vectors.tsv} now, OBPF's assembler reading the
     * {@code -- asm} section once it is merged.
     */
    @FunctionalInterface
    public interface ProgramSource {
        /** The program of the test in {@code dataFile} (one 64-bit word per instruction slot). */
        long[] program(Path dataFile, DataFile data);
    }

    /** Programs as the upstream runner assembled them, from the suite's {@code vectors.tsv}. */
    public static ProgramSource vectors(Path dir) {
        Vectors vectors = Vectors.read(dir.resolve("vectors.tsv"));
        return (file, data) -> {
            Vectors.Vector v = vectors.get(data.name()).orElseThrow(() ->
                    new IllegalArgumentException(data.name() + ": no program for it in vectors.tsv"));
            if (!Arrays.equals(v.memory(), data.memory())) {
                throw new IllegalArgumentException(data.name() + ": memory differs between the .data file and vectors.tsv");
            }
            if (v.result() != data.result()) {
                throw new IllegalArgumentException(data.name() + ": result differs between the .data file (0x"
                        + Long.toHexString(data.result()) + ") and vectors.tsv (0x" + Long.toHexString(v.result()) + ")");
            }
            return v.program();
        };
    }

    /** The suite in {@code dir} with programs from its {@code vectors.tsv}. */
    public static ConformanceSuite load(Path dir) {
        return load(dir, vectors(dir));
    }

    /**
     * The suite in {@code dir}: its {@code .data} files, sorted by name, memory and expected
     * result from each file, programs from {@code programs}.
     *
     * @throws IllegalArgumentException if a file is malformed or has no program
     */
    public static ConformanceSuite load(Path dir, ProgramSource programs) {
        try (Stream<Path> files = Files.list(dir)) {
            List<TestCase> cases = files.filter(p -> p.getFileName().toString().endsWith(".data")).sorted()
                    .map(p -> {
                        DataFile data = DataFile.read(p);
                        long[] program = programs.program(p, data);
                        return new TestCase(data.name(), data, program, Groups.required(program));
                    })
                    .toList();
            return new ConformanceSuite(dir, cases);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Finds the suite: the {@value #DIR_PROPERTY} system property if set, else the first
     * {@code shared/conformance} found walking up from {@code start} (CI clones the repository
     * with {@code shared/} beside it).
     */
    public static Optional<Path> locate(Path start) {
        String override = System.getProperty(DIR_PROPERTY);
        if (override != null && !override.isBlank()) {
            Path p = Path.of(override);
            return Files.isDirectory(p) ? Optional.of(p) : Optional.empty();
        }
        for (Path d = start.toAbsolutePath().normalize(); d != null; d = d.getParent()) {
            Path candidate = d.resolve("shared").resolve("conformance");
            if (Files.isRegularFile(candidate.resolve("vectors.tsv"))) return Optional.of(candidate);
        }
        return Optional.empty();
    }

    public Path dir() {
        return dir;
    }

    public List<TestCase> cases() {
        return cases;
    }

    /** Runs one test; never throws for an engine failure, which becomes an ERROR outcome. */
    public static Outcome run(Engine engine, TestCase test) {
        Set<String> missing = new TreeSet<>(test.groups());
        missing.removeAll(engine.groups());
        if (!missing.isEmpty()) {
            return new Outcome(test.name(), Status.SKIP, test.data().result(), null,
                    "needs conformance group(s) " + missing + " that engine " + engine.name() + " does not implement");
        }
        long expected = test.data().result();
        try {
            long r0 = engine.run(test.program(), test.data().memory());
            return r0 == expected
                    ? new Outcome(test.name(), Status.PASS, expected, r0, "")
                    : new Outcome(test.name(), Status.FAIL, expected, r0,
                            "expected r0 = 0x" + Long.toHexString(expected) + ", got 0x" + Long.toHexString(r0));
        } catch (BpfException | RuntimeException e) {
            return new Outcome(test.name(), Status.ERROR, expected, null, String.valueOf(e));
        }
    }
}
