package org.obpf.kernelref;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.obpf.api.prog.TestRun;
import org.obpf.core.run.InterpreterExecution;
import org.obpf.core.run.TestRunner;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.obpf.api.BpfException;
import org.obpf.api.Errno;
import org.obpf.api.obj.BpfObject;
import org.obpf.core.exec.JitExecution;
import org.obpf.jit.x86_64.X86_64JitBackend;
import org.obpf.kernelref.CorpusCases.Case;
import org.obpf.kernelref.CorpusCases.Run;
import org.obpf.kernelref.CorpusHarness.Out;

/**
 * Every case of the corpus table ({@link CorpusCases#all()}) on the x86-64 JIT ({@link
 * JitExecution} with {@link X86_64JitBackend}, through {@code TestRunner}) and on the
 * interpreter: return values, data_out, ctx_out, every map's contents, queue heads and ring
 * buffer records must be identical. Programs the JIT execution engine cannot run yet are listed
 * in {@link #JIT_NOT_RUN} with the reason; a program refused for a reason not listed fails.
 */
@EnabledOnOs(architectures = {"amd64", "x86_64"})
class CorpusJitTest {
    private static final JitExecution JIT = new JitExecution(new X86_64JitBackend());

    /** Cases whose programs the JIT engine refuses (ENOTSUPP at prepare), with the reason. */
    static final Map<String, String> JIT_NOT_RUN = Map.of();

    private static final Set<String> programs = new ConcurrentSkipListSet<>();
    private static final AtomicInteger inputs = new AtomicInteger();
    private static final Map<String, String> notRun = new ConcurrentSkipListMap<>();

    static Stream<Case> cases() {
        return CorpusCases.all().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void jitGivesTheInterpretersResults(Case c) throws Exception {
        BpfObject obj = CorpusHarness.object(c.object);
        try (CorpusHarness.Obpf interp = new CorpusHarness.Obpf(obj);
             CorpusHarness.Obpf jit = new CorpusHarness.Obpf(obj, JIT)) {
            List<Out> expected = CorpusInterpreterTest.execute(interp, c);
            List<Out> got;
            try {
                got = CorpusInterpreterTest.execute(jit, c);
            } catch (BpfException e) {
                if (e.errno() != Errno.ENOTSUPP) throw e;
                notRun.put(c.name, e.getMessage());
                assertTrue(JIT_NOT_RUN.containsKey(c.name), c.name + ": the JIT engine refuses it and it is not listed: " + e.getMessage());
                return;
            }
            assertTrue(!JIT_NOT_RUN.containsKey(c.name), c.name + " runs on the JIT but is listed in JIT_NOT_RUN");
            List<Run> runs = c.runs();
            assertEquals(expected.size(), got.size(), c.name + ": runs");
            for (int i = 0; i < runs.size(); i++) {
                Run r = runs.get(i);
                String what = c.name + " " + r.prog() + " [" + r.label() + "]";
                Out e = expected.get(i), g = got.get(i);
                if (e == null || g == null) {
                    assertEquals(e == null, g == null, what + ": refused on one side only");
                    continue;
                }
                assertEquals(e.retval(), g.retval(), what + ": retval");
                assertEquals(CorpusHarness.hex(e.dataOut()), CorpusHarness.hex(g.dataOut()), what + ": data_out");
                assertEquals(e.ctxOut() == null ? null : CorpusHarness.hex(e.ctxOut()),
                        g.ctxOut() == null ? null : CorpusHarness.hex(g.ctxOut()), what + ": ctx_out");
                programs.add(c.object + "/" + r.prog());
                inputs.incrementAndGet();
            }
            for (var m : obj.maps()) {
                var spec = m.spec();
                if (!CorpusHarness.dumpable(spec.type())) continue;
                TreeMap<String, String> a = interp.dump(m.name()), b = jit.dump(m.name());
                assertNotNull(b);
                assertEquals(a, b, c.name + ": map " + m.name());
            }
            for (String q : c.peeks.keySet()) {
                assertEquals(interp.peek(q).map(CorpusHarness::hex), jit.peek(q).map(CorpusHarness::hex), c.name + ": head of " + q);
            }
            for (String rb : c.ringbufs.keySet()) {
                assertEquals(interp.ringbufRecords(rb).stream().map(CorpusHarness::hex).toList(),
                        jit.ringbufRecords(rb).stream().map(CorpusHarness::hex).toList(), c.name + ": records in " + rb);
            }
        }
    }

    /**
     * Figures, not a benchmark (see {@code bench/} for those): the corpus XDP parser through
     * {@code TestRunner} with {@code repeat}, average ns per run on each engine, and the size of
     * the JIT'd code.
     */
    @Test
    void xdpParserFigures() throws Exception {
        BpfObject obj = CorpusHarness.object("xdp_parse_udp");
        try (CorpusHarness.Obpf side = new CorpusHarness.Obpf(obj)) {
            org.obpf.core.prelink.Prelinked p = side.prelinked("xdp_parse_udp");
            byte[] packet = CorpusCases.udp(42, 53);
            int repeat = 100_000;
            var req = new TestRun.Request(packet, packet.length, null, 0, repeat);
            TestRunner interp = new TestRunner(new InterpreterExecution());
            TestRunner jit = new TestRunner(JIT);
            long ni = 0, nj = 0;
            for (int round = 0; round < 5; round++) { // the last round counts, after warm-up
                TestRun.Result a = interp.run(p, req), b = jit.run(p, req);
                assertEquals(a.retval(), b.retval(), "retval");
                ni = a.durationNs();
                nj = b.durationNs();
            }
            int code = ((JitExecution.Compiled) JIT.prepare(p)).program().linked().size();
            System.out.println("xdp_parse_udp through TestRunner (repeat " + repeat + "): interpreter " + ni + " ns/run, x86_64 JIT "
                    + nj + " ns/run; " + p.insns().length + " BPF slots -> " + code + " bytes of x86-64 (sandbox mode)");
        }
    }

    @AfterAll
    static void summary() {
        StringBuilder sb = new StringBuilder("corpus on x86_64: ").append(programs.size()).append(" programs, ").append(inputs.get())
                .append(" inputs, all identical to the interpreter");
        if (!notRun.isEmpty()) {
            sb.append("; ").append(notRun.size()).append(" cases not run on the JIT:");
            notRun.forEach((k, v) -> sb.append("\n  ").append(k).append(": ").append(v));
        }
        System.out.println(sb);
    }
}
