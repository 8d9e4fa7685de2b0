package org.obpf.jit.riscv;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.obpf.api.jit.CompileOptions;
import org.obpf.api.jit.JitBackend;
import org.obpf.api.jit.code.ObjectWriter;
import org.obpf.core.conformance.ConformanceSuite;
import org.obpf.core.conformance.ConformanceSuite.Outcome;
import org.obpf.core.conformance.ConformanceSuite.Status;
import org.obpf.core.conformance.ConformanceSuite.TestCase;
import org.obpf.core.exec.QemuEngine;

/**
 * The whole conformance suite on the RISC-V back-ends under QEMU, each program linked by the
 * back-end at the harness's code area and the suite run as one batch per mode (compressed or
 * not, Zba/Zbb, constant blinding, and with the verifier's explicit zero extension instead of the
 * back-end's own). As on the interpreter and x86-64, {@code callx.data} is
 * skipped (the upstream runner's {@code callx} group, an indirect call that is not part of RFC 9669);
 * riscv32 also skips the {@code atomic64} group, which its capabilities leave out.
 */
class RvConformanceTest {
    static final int SUITE_SIZE = 313;
    static ConformanceSuite suite;

    @BeforeAll
    static void load() {
        Path dir = ConformanceSuite.locate(Path.of("")).orElseThrow(() -> new IllegalStateException(
                "conformance suite not found above " + Path.of("").toAbsolutePath()));
        suite = ConformanceSuite.load(dir);
    }

    static Stream<Arguments> modes() {
        List<Arguments> a = new ArrayList<>();
        for (String arch : List.of(Rv64JitBackend.ARCH, Rv32JitBackend.ARCH)) {
            a.add(Arguments.of(arch, "compressed", CompileOptions.DEFAULT));
            a.add(Arguments.of(arch, "verifier zext", CompileOptions.DEFAULT));
            a.add(Arguments.of(arch, "uncompressed", CompileOptions.DEFAULT.withCompressed(false)));
            a.add(Arguments.of(arch, "zbb" + (arch.equals(Rv64JitBackend.ARCH) ? "+zba" : ""),
                    CompileOptions.DEFAULT.withExtensions(arch.equals(Rv64JitBackend.ARCH) ? Set.of("zba", "zbb") : Set.of("zbb"))));
            a.add(Arguments.of(arch, "blinded", CompileOptions.DEFAULT.withBlindConstants(true)));
        }
        // RV32 with every atomic a call to the harness's __obpf_atomic_* routines (as on the RFPC).
        a.add(Arguments.of(Rv32JitBackend.ARCH, "firmware atomics",
                CompileOptions.DEFAULT.withExtensions(Set.of(org.obpf.api.offload.FirmwareAtomics.EXTENSION))));
        return a.stream();
    }

    static JitBackend backend(String arch) {
        return arch.equals(Rv64JitBackend.ARCH) ? new Rv64JitBackend() : new Rv32JitBackend();
    }

    static ObjectWriter writer(String arch) {
        return arch.equals(Rv64JitBackend.ARCH) ? new Rv64ObjectWriter() : new Rv32ObjectWriter();
    }

    /** The tests each arch skips: callx everywhere; on riscv32 also the 64-bit atomics, which it refuses. */
    static List<String> skipped(String arch) {
        List<String> s = new ArrayList<>(List.of("callx.data"));
        if (arch.equals(Rv32JitBackend.ARCH)) {
            for (TestCase tc : suite.cases()) if (tc.groups().contains("atomic64")) s.add(tc.name());
        }
        s.sort(null);
        return s;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("modes")
    void wholeSuitePassesUnderQemuExceptTheCallxGroup(String arch, String mode, CompileOptions options) {
        Tools.require("riscv64-linux-gnu-gcc", "riscv64-linux-gnu-ld", "qemu-" + arch);
        QemuEngine engine = new QemuEngine(backend(arch), writer(arch), options, mode.equals("verifier zext"));
        List<Outcome> outcomes = run(engine, suite.cases());
        Map<Status, List<String>> byStatus = outcomes.stream().collect(Collectors.groupingBy(Outcome::status,
                Collectors.mapping(Outcome::name, Collectors.toList())));
        assertEquals(SUITE_SIZE, outcomes.size());
        List<String> skipped = mode.equals("firmware atomics") ? List.of("callx.data") : skipped(arch);
        assertEquals(SUITE_SIZE - skipped.size(), byStatus.getOrDefault(Status.PASS, List.of()).size(), () -> outcomes.stream()
                .filter(o -> o.status() != Status.PASS && o.status() != Status.SKIP).map(Outcome::toString).collect(Collectors.joining("\n")));
        assertEquals(skipped, byStatus.get(Status.SKIP).stream().sorted().toList());
    }

    /**
     * The other path: each test compiled, written as an ELF object, linked with the harness by GNU
     * ld (which applies the relocations instead of the back-end's link) and run in its own QEMU
     * process, as {@code conformance-plugin --engine riscv64} runs it.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("arches")
    void wholeSuitePassesThroughGnuLd(String arch) {
        Tools.require("riscv64-linux-gnu-gcc", "riscv64-linux-gnu-ld", "qemu-" + arch);
        QemuEngine engine = new QemuEngine(backend(arch), writer(arch), CompileOptions.DEFAULT);
        List<Outcome> outcomes = suite.cases().stream().map(tc -> ConformanceSuite.run(engine, tc)).toList();
        List<String> passed = outcomes.stream().filter(o -> o.status() == Status.PASS).map(Outcome::name).toList();
        assertEquals(SUITE_SIZE - skipped(arch).size(), passed.size(), () -> outcomes.stream()
                .filter(o -> o.status() != Status.PASS && o.status() != Status.SKIP).map(Outcome::toString).collect(Collectors.joining("\n")));
    }

    static Stream<String> arches() {
        return Stream.of(Rv64JitBackend.ARCH, Rv32JitBackend.ARCH);
    }

    /** The suite as one QEMU batch; skips decided as {@link ConformanceSuite#run} decides them. */
    static List<Outcome> run(QemuEngine engine, List<TestCase> cases) {
        List<TestCase> runnable = new ArrayList<>();
        List<Outcome> out = new ArrayList<>();
        for (TestCase tc : cases) {
            if (engine.groups().containsAll(tc.groups())) runnable.add(tc);
        }
        List<QemuEngine.Result> results = engine.runAll(runnable.stream().map(tc -> new QemuEngine.Job(tc.program(), tc.memory())).toList());
        for (TestCase tc : cases) {
            int k = runnable.indexOf(tc);
            if (k < 0) {
                out.add(ConformanceSuite.run(engine, tc)); // a skip
                continue;
            }
            QemuEngine.Result r = results.get(k);
            if (r.error() != null) out.add(new Outcome(tc.name(), Status.ERROR, tc.result(), null, String.valueOf(r.error())));
            else if (r.r0() == tc.result()) out.add(new Outcome(tc.name(), Status.PASS, tc.result(), r.r0(), ""));
            else out.add(new Outcome(tc.name(), Status.FAIL, tc.result(), r.r0(), "expected r0 = 0x" + Long.toHexString(tc.result())
                    + ", got 0x" + Long.toHexString(r.r0())));
        }
        return out;
    }
}
