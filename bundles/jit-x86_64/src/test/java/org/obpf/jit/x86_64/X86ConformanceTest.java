package org.obpf.jit.x86_64;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.obpf.api.jit.CompileOptions;
import org.obpf.core.conformance.ConformanceSuite;
import org.obpf.core.conformance.ConformanceSuite.Outcome;
import org.obpf.core.conformance.ConformanceSuite.Status;
import org.obpf.core.exec.HostJitEngine;
import org.obpf.core.helper.HelperTable;

/**
 * The whole conformance suite on the x86-64 JIT, run in-process: plain, in sandbox mode, with
 * constant blinding, and both. As on the interpreter, only {@code callx.data} is skipped (the
 * upstream runner's {@code callx} group, an indirect call that is not part of RFC 9669).
 */
class X86ConformanceTest {
    static final int SUITE_SIZE = 313;
    static ConformanceSuite suite;

    @BeforeAll
    static void load() {
        Path dir = ConformanceSuite.locate(Path.of("")).orElseThrow(() -> new IllegalStateException(
                "conformance suite not found above " + Path.of("").toAbsolutePath()));
        suite = ConformanceSuite.load(dir);
    }

    static Stream<Arguments> modes() {
        return Stream.of(
                Arguments.of("plain", CompileOptions.DEFAULT),
                Arguments.of("sandbox", CompileOptions.DEFAULT.withSandbox(true)),
                Arguments.of("blinded", CompileOptions.DEFAULT.withBlindConstants(true)),
                Arguments.of("blinded+sandbox", CompileOptions.DEFAULT.withBlindConstants(true).withSandbox(true)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("modes")
    void wholeSuitePassesExceptTheCallxGroup(String mode, CompileOptions options) {
        HostJitEngine engine = new HostJitEngine(new X86_64JitBackend(), options, HelperTable.builtins());
        List<Outcome> outcomes = suite.cases().stream().map(tc -> ConformanceSuite.run(engine, tc)).toList();
        Map<Status, List<String>> byStatus = outcomes.stream().collect(Collectors.groupingBy(Outcome::status,
                Collectors.mapping(Outcome::name, Collectors.toList())));
        assertEquals(SUITE_SIZE, outcomes.size());
        assertEquals(SUITE_SIZE - 1, byStatus.getOrDefault(Status.PASS, List.of()).size(), () -> outcomes.stream()
                .filter(o -> o.status() != Status.PASS).map(Outcome::toString).collect(Collectors.joining("\n")));
        assertEquals(List.of("callx.data"), byStatus.get(Status.SKIP));
    }
}
