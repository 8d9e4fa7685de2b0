package org.obpf.core.conformance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.obpf.api.BpfException;
import org.obpf.api.text.AssemblerException;
import org.obpf.api.text.ConformanceTest;

/**
 * The conformance suite as data: every {@code .data} file of a directory, run on any
 * {@link Engine}. One runner for every engine, as bpf_conformance does it.
 */
public final class ConformanceSuite {

    /** System property naming the suite directory, overriding the search. */
    public static final String DIR_PROPERTY = "obpf.conformance.dir";

    /**
     * One test: its program (assembled from the {@code -- asm} section by OBPF's assembler), initial
     * memory, expected r0 and the conformance groups the program needs.
     */
    public record TestCase(String name, long[] program, byte[] memory, long result, Set<String> groups,
                           Optional<String> optionalFeature) {}

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
     * The suite in {@code dir}: its {@code .data} files, sorted by name, each assembled by OBPF's
     * assembler ({@code vectors.tsv} checks the assembler itself, in the api bundle's tests).
     *
     * @throws IllegalArgumentException naming the file if one is malformed, has no result or does not assemble
     */
    public static ConformanceSuite load(Path dir) {
        List<TestCase> cases = new ArrayList<>();
        try {
            for (ConformanceTest t : ConformanceTest.parseDirectory(dir)) {
                long result = t.result().orElseThrow(() -> new IllegalArgumentException(t.name() + ": no -- result section"));
                long[] program;
                try {
                    program = t.program();
                } catch (AssemblerException e) {
                    throw new IllegalArgumentException(t.name() + ": " + e.getMessage(), e);
                }
                cases.add(new TestCase(t.name(), program, t.memory(), result, Groups.required(program), t.noRegisterOffset()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ConformanceSuite(dir, List.copyOf(cases));
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
            return new Outcome(test.name(), Status.SKIP, test.result(), null,
                    "needs conformance group(s) " + missing + " that engine " + engine.name() + " does not implement");
        }
        long expected = test.result();
        try {
            long r0 = engine.run(test.program(), test.memory());
            return r0 == expected
                    ? new Outcome(test.name(), Status.PASS, expected, r0, "")
                    : new Outcome(test.name(), Status.FAIL, expected, r0,
                            "expected r0 = 0x" + Long.toHexString(expected) + ", got 0x" + Long.toHexString(r0));
        } catch (BpfException | RuntimeException e) {
            return new Outcome(test.name(), Status.ERROR, expected, null, String.valueOf(e));
        }
    }
}
