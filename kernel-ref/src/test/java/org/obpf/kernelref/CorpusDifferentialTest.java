package org.obpf.kernelref;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.obpf.api.map.MapType;
import org.obpf.api.obj.BpfObject;
import org.obpf.api.obj.MapDefinition;
import org.obpf.kernelref.CorpusCases.Case;
import org.obpf.kernelref.CorpusCases.Run;
import org.obpf.kernelref.CorpusHarness.Out;

/**
 * The corpus table ({@link CorpusCases#all()}) on the kernel ({@code BPF_PROG_LOAD} +
 * {@code BPF_PROG_TEST_RUN}) and on OBPF's interpreter, step by step on fresh maps on each side:
 * return values, data_out and (tc programs) ctx_out must be equal, and the kernel must give the
 * documented return value; after the steps every keyed map of the object is listed on both sides
 * (every key, BPF_MAP_GET_NEXT_KEY from none) and must hold the same values. Per-CPU values are
 * compared as the sums of all CPUs' slots, lane by lane as u64 (a test run uses whichever CPU the
 * thread is on, on both sides, so only the sum is stable). Queue and stack maps are compared by
 * their head (peek); ring buffers by the records they hold (on the kernel read through mmap, as
 * libbpf's consumer does, without consuming; on OBPF consumed).
 * Programs the kernel or OBPF cannot test_run are in {@link CorpusCases#NOT_RUN} with the reason.
 */
class CorpusDifferentialTest {
    private static final Set<String> PROGRAMS = new TreeSet<>();
    private static final AtomicInteger INPUTS = new AtomicInteger();
    private static final AtomicInteger MAPS = new AtomicInteger();
    private static final List<String> DISAGREED = new ArrayList<>();
    private static final List<String> KNOWN = new ArrayList<>();

    static Stream<Case> cases() {
        return CorpusCases.all().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void kernelAndObpfAgree(Case c) throws Throwable {
        Kernel.require();
        BpfObject obj = CorpusHarness.object(c.object);
        List<String> diffs = new ArrayList<>();
        try (CorpusHarness.Kern kernel = new CorpusHarness.Kern(obj); CorpusHarness.Obpf obpf = new CorpusHarness.Obpf(obj)) {
            List<Out> k = CorpusInterpreterTest.execute(kernel, c);
            List<Out> o = CorpusInterpreterTest.execute(obpf, c);
            List<Run> runs = c.runs();
            for (int i = 0; i < runs.size(); i++) {
                Run r = runs.get(i);
                String what = r.prog() + " [" + r.label() + "]";
                if (r.kernelRefuses() != null) {
                    // the kernel refused the run (checked by execute); OBPF runs it: the known divergence, asserted as it is
                    assertEquals(null, k.get(i));
                    assertEquals(r.expect(), o.get(i).retval(), c.name + " " + what + ": OBPF's retval");
                    synchronized (KNOWN) {
                        KNOWN.add(c.object + "/" + what + ": kernel test_run " + r.kernelRefuses() + ", OBPF retval " + o.get(i).retval());
                    }
                    continue;
                }
                assertEquals(r.expect(), k.get(i).retval(), c.name + " " + what + ": the kernel's retval is not the documented one");
                if (k.get(i).retval() != o.get(i).retval()) diffs.add(what + ": retval kernel " + k.get(i).retval() + ", OBPF " + o.get(i).retval());
                if (!CorpusHarness.hex(k.get(i).dataOut()).equals(CorpusHarness.hex(o.get(i).dataOut()))) {
                    diffs.add(what + ": data_out kernel " + CorpusHarness.hex(k.get(i).dataOut()) + ", OBPF " + CorpusHarness.hex(o.get(i).dataOut()));
                }
                if (!CorpusHarness.hex(k.get(i).ctxOut()).equals(CorpusHarness.hex(o.get(i).ctxOut()))) {
                    diffs.add(what + ": ctx_out kernel " + CorpusHarness.hex(k.get(i).ctxOut()) + ", OBPF " + CorpusHarness.hex(o.get(i).ctxOut()));
                }
                synchronized (PROGRAMS) {
                    PROGRAMS.add(c.object + "/" + r.prog());
                }
                INPUTS.incrementAndGet();
            }
            for (MapDefinition d : obj.maps()) {
                MapType t = d.spec().type();
                if (CorpusHarness.dumpable(t)) {
                    var kd = kernel.dump(d.name());
                    var od = obpf.dump(d.name());
                    if (!kd.equals(od)) diffs.add("map " + d.name() + ": kernel " + kd + ", OBPF " + od);
                    MAPS.incrementAndGet();
                } else if (t == MapType.RINGBUF) {
                    List<String> kr = kernel.ringbufRecords(d.name()).stream().map(CorpusHarness::hex).toList();
                    List<String> or = obpf.ringbufRecords(d.name()).stream().map(CorpusHarness::hex).toList();
                    if (!kr.equals(or)) diffs.add("ring buffer " + d.name() + ": kernel " + kr + ", OBPF " + or);
                    MAPS.incrementAndGet();
                } else if (t == MapType.QUEUE || t == MapType.STACK) {
                    String kp = kernel.peek(d.name()).map(CorpusHarness::hex).orElse(null);
                    String op = obpf.peek(d.name()).map(CorpusHarness::hex).orElse(null);
                    if (!String.valueOf(kp).equals(String.valueOf(op))) diffs.add("map " + d.name() + " head: kernel " + kp + ", OBPF " + op);
                    MAPS.incrementAndGet();
                }
            }
        }
        if (!diffs.isEmpty()) {
            synchronized (DISAGREED) {
                diffs.forEach(d -> DISAGREED.add(c.name + ": " + d));
            }
        }
        assertTrue(diffs.isEmpty(), c.name + ": kernel and OBPF disagree:\n  " + String.join("\n  ", diffs));
    }

    /**
     * The programs of types only the kernel test_runs (OBPF's TestRunner has XDP, SCHED_CLS/ACT,
     * SOCKET_FILTER and FLAT): the kernel gives the results their .c files document. Not a
     * comparison; it pins what OBPF would have to give once its TestRunner runs these types.
     */
    @org.junit.jupiter.api.Test
    void kernelGivesTheDocumentedResultsOfTypesObpfCannotRun() throws Exception {
        Kernel.require();
        try (CorpusHarness.Kern k = new CorpusHarness.Kern(CorpusHarness.object("tracing"), true)) {
            byte[] args = CorpusHarness.concat8(0, 59);
            assertEquals(0, k.testRun("count_syscalls", TestRunAttr.context(args)).retval());
            assertEquals(new java.util.TreeMap<>(java.util.Map.of(CorpusCases.h64(59), CorpusCases.h64(1))), k.dump("syscalls"));
            assertEquals(0, k.testRun("count_syscalls", TestRunAttr.context(args)).retval());
            assertEquals(new java.util.TreeMap<>(java.util.Map.of(CorpusCases.h64(59), CorpusCases.h64(2))), k.dump("syscalls"));
        }
        try (CorpusHarness.Kern k = new CorpusHarness.Kern(CorpusHarness.object("attach_sections"), true)) {
            byte[] pkt = CorpusCases.udp(60, 53);
            assertEquals(1, k.testRun("cg_ingress", TestRunAttr.packet(pkt)).retval(), "cg_ingress");
            assertEquals(0, k.testRun("cg_egress", TestRunAttr.packet(pkt)).retval(), "cg_egress");
            assertEquals(0, k.testRun("raw_full", TestRunAttr.context(new byte[0])).retval(), "raw_full");
            assertEquals(7, k.testRun("do_syscall", TestRunAttr.context(new byte[0])).retval(), "do_syscall");
            KernelBpfException e = org.junit.jupiter.api.Assertions.assertThrows(KernelBpfException.class,
                    () -> k.testRun("sk_verdict", TestRunAttr.packet(pkt)));
            assertEquals("ENOTSUPP", e.errnoName(), "sk_verdict (SK_SKB) test_run");
        }
    }

    @AfterAll
    static void summary() {
        if (INPUTS.get() == 0) return;
        System.out.println("corpus differential: " + PROGRAMS.size() + " programs, " + INPUTS.get() + " inputs, " + MAPS.get()
                + " map comparisons, " + (DISAGREED.isEmpty() ? "all agreed" : DISAGREED.size() + " disagreements: " + DISAGREED)
                + (KNOWN.isEmpty() ? "" : "; known divergences (not counted as inputs): " + KNOWN));
        System.out.println("corpus differential: not run: " + CorpusCases.NOT_RUN);
    }
}
