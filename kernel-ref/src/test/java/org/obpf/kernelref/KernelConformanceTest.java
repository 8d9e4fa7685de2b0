package org.obpf.kernelref;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.obpf.core.conformance.ConformanceSuite;
import org.obpf.core.conformance.ConformanceSuite.Outcome;
import org.obpf.core.conformance.ConformanceSuite.Status;
import org.obpf.core.conformance.ConformanceSuite.TestCase;
import org.obpf.core.conformance.Engine;
import org.obpf.core.conformance.InterpreterEngine;

/**
 * The conformance suite on the kernel, compared test by test with OBPF's interpreter: every
 * program the kernel accepts must give the interpreter's r0 (all 64 bits), and the programs it
 * refuses are listed with the verifier's reason and counted exactly.
 *
 * <p>The upstream runner's libbpf plugin gets 260/312 from Linux 6.18. {@link FlatRunner} does
 * better: the program runs as a subprogram of a wrapper that stores all of r0, and with the
 * SYSCALL mapping the memory is a map value, which the verifier lets a program index and read
 * unaligned within its bounds. What remains refused is the verifier's rule against shifts by a
 * constant outside [0, width): the suite's {@code *-imm-neg} and {@code *-imm-high} tests, whose
 * results RFC 9669 defines by masking the shift amount.
 */
class KernelConformanceTest {
    static final int SUITE_SIZE = 313;

    static ConformanceSuite suite;

    @BeforeAll
    static void load() {
        Path dir = ConformanceSuite.locate(Path.of("")).orElseThrow(() -> new IllegalStateException(
                "conformance suite not found: no shared/conformance above " + Path.of("").toAbsolutePath()
                        + "; set -D" + ConformanceSuite.DIR_PROPERTY + "=DIR"));
        suite = ConformanceSuite.load(dir);
    }

    /** What one mapping gave over the whole suite. */
    record Figures(int run, int accepted, int agreed, List<String> disagreements, Map<String, List<String>> refusedBy,
                   Map<String, List<String>> refusedByGroup, List<String> skipped) {
        int refused() {
            return refusedBy.values().stream().mapToInt(List::size).sum();
        }

        Map<String, Integer> groupCounts() {
            Map<String, Integer> m = new TreeMap<>();
            refusedByGroup.forEach((g, names) -> m.put(g, names.size()));
            return m;
        }
    }

    /** A reason with its numbers taken out, so "invalid shift 40" and "invalid shift -4" group together. */
    static String group(String reason) {
        return reason.replaceAll("-?\\d+", "N");
    }

    static Figures compare(FlatRunner.Mapping mapping) {
        Engine interp = new InterpreterEngine();
        Engine kernel = new KernelEngine(mapping);
        int run = 0;
        int accepted = 0;
        int agreed = 0;
        List<String> disagreements = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        Map<String, List<String>> refusedBy = new TreeMap<>();
        Map<String, List<String>> refusedByGroup = new TreeMap<>();
        for (TestCase tc : suite.cases()) {
            Outcome i = ConformanceSuite.run(interp, tc);
            Outcome k = ConformanceSuite.run(kernel, tc);
            if (i.status() == Status.SKIP || k.status() == Status.SKIP) {
                skipped.add(tc.name());
                continue;
            }
            run++;
            if (k.actual() != null) {
                accepted++;
                if (k.actual().equals(i.actual())) agreed++;
                else disagreements.add(tc.name() + ": kernel r0 = 0x" + Long.toHexString(k.actual()) + ", interpreter "
                        + (i.actual() == null ? i.detail() : "r0 = 0x" + Long.toHexString(i.actual())));
            } else {
                // An ERROR outcome: the refusal's text is "ERRNO: refused by the kernel verifier: reason".
                String reason = k.detail().replaceFirst("^\\S+: refused by the kernel verifier: ", "");
                refusedBy.computeIfAbsent(reason, r -> new ArrayList<>()).add(tc.name());
                refusedByGroup.computeIfAbsent(group(reason), r -> new ArrayList<>()).add(tc.name());
            }
        }
        Figures f = new Figures(run, accepted, agreed, disagreements, refusedBy, refusedByGroup, skipped);
        print(mapping, f);
        return f;
    }

    static void print(FlatRunner.Mapping mapping, Figures f) {
        StringBuilder sb = new StringBuilder();
        sb.append("kernel conformance, ").append(mapping).append(" mapping: ").append(f.run()).append(" run, ")
                .append(f.accepted()).append(" accepted by the kernel, ").append(f.agreed())
                .append(" agree with the interpreter, ").append(f.refused()).append(" refused; skipped ")
                .append(f.skipped()).append('\n');
        f.disagreements().forEach(d -> sb.append("  DISAGREE ").append(d).append('\n'));
        f.refusedByGroup().forEach((g, names) -> sb.append("  refused ").append(names.size()).append(" x '").append(g)
                .append("'\n"));
        f.refusedBy().forEach((r, names) -> sb.append("    ").append(r).append(": ").append(names).append('\n'));
        System.out.print(sb);
    }

    @Test
    void syscallMappingAgreesWithTheInterpreterOnEveryAcceptedTest() {
        Kernel.require();
        assertEquals(SUITE_SIZE, suite.cases().size());
        Figures f = compare(FlatRunner.Mapping.SYSCALL);
        assertEquals(List.of(), f.disagreements());
        assertEquals(List.of("callx.data"), f.skipped());
        assertEquals(312, f.run());
        assertEquals(300, f.accepted());
        assertEquals(300, f.agreed());
        assertEquals(12, f.refused());
        assertEquals(Map.of("invalid shift N", 12), f.groupCounts());
        assertEquals(List.of("arsh32-imm-high.data", "arsh32-imm-neg.data", "arsh64-imm-high.data", "arsh64-imm-neg.data",
                "lsh32-imm-high.data", "lsh32-imm-neg.data", "lsh64-imm-high.data", "lsh64-imm-neg.data",
                "rsh32-imm-high.data", "rsh32-imm-neg.data", "rsh64-imm-high.data", "rsh64-imm-neg.data"),
                f.refusedByGroup().get("invalid shift N").stream().sorted().toList());
        assertEquals(List.of("arsh32-imm-high.data"), f.refusedBy().get("invalid shift 48"));
        assertEquals(List.of("lsh64-imm-neg.data", "rsh64-imm-neg.data"), f.refusedBy().get("invalid shift -60"));
    }

    @Test
    void xdpMappingAsTheUpstreamPluginRefusesMemoryTestsToo() {
        Kernel.require();
        Figures f = compare(FlatRunner.Mapping.XDP);
        assertEquals(List.of(), f.disagreements());
        assertEquals(List.of("callx.data"), f.skipped());
        assertEquals(312, f.run());
        assertEquals(291, f.accepted());
        assertEquals(291, f.agreed());
        assertEquals(21, f.refused());
        assertEquals(Map.of("invalid shift N", 12,
                "invalid access to packet, off=N size=N, RN(id=N,off=N,r=N)", 9), f.groupCounts());
        assertEquals(List.of("ldxb-all.data", "ldxdw.data", "ldxh-all.data", "ldxh-all2.data", "ldxw-all.data",
                "stdw.data", "stxb-chain.data", "stxdw.data", "subnet.data"),
                f.refusedByGroup().get("invalid access to packet, off=N size=N, RN(id=N,off=N,r=N)").stream().sorted().toList());
    }
}
