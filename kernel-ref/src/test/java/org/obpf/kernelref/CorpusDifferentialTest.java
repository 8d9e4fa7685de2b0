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
                if (r.refused() != null) {
                    // both sides refused the run with the same errno (checked by execute)
                    assertEquals(null, k.get(i));
                    assertEquals(null, o.get(i));
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

    static Stream<String> objects() {
        return CorpusHarness.index().stream();
    }

    /**
     * Beyond the documented inputs: 40 seeded random packets per program (14 to 200 bytes, most
     * of them with an IPv4 EtherType, IHL 5 and a UDP or TCP protocol byte so that parsers get
     * past their first checks), each run on both sides with the same maps; return values,
     * data_out and ctx_out after every run and every map after all of them must match. Prog
     * arrays as their definitions fill them; {@code xdp/devmap} programs are left out (the
     * kernel refuses to test_run them, see {@code multi_prog} in the table).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("objects")
    void randomPacketsAgree(String name) throws Throwable {
        Kernel.require();
        BpfObject obj = CorpusHarness.object(name);
        List<org.obpf.api.obj.ProgramSpec> progs = obj.programs().stream()
                .filter(p -> CorpusHarness.runnable(p.type()))
                .filter(p -> p.expectedAttachType().map(a -> !a.name().contains("DEVMAP") && !a.name().contains("CPUMAP")).orElse(true))
                .toList();
        if (progs.isEmpty()) return;
        java.util.Random rnd = new java.util.Random(name.hashCode());
        List<String> diffs = new ArrayList<>();
        int runs = 0;
        int refusals = 0;
        try (CorpusHarness.Kern kernel = new CorpusHarness.Kern(obj); CorpusHarness.Obpf obpf = new CorpusHarness.Obpf(obj)) {
            for (org.obpf.api.obj.ProgramSpec p : progs) {
                boolean ctx = p.type() == org.obpf.api.prog.ProgramType.SCHED_CLS || p.type() == org.obpf.api.prog.ProgramType.SCHED_ACT;
                for (int i = 0; i < 40; i++) {
                    byte[] pkt = new byte[14 + rnd.nextInt(187)];
                    rnd.nextBytes(pkt);
                    int at = p.type() == org.obpf.api.prog.ProgramType.SOCKET_FILTER && rnd.nextBoolean() ? 14 : 0;
                    if (rnd.nextInt(10) < 7 && pkt.length >= at + 24) {
                        pkt[at + 12] = 0x08;
                        pkt[at + 13] = 0x00;
                        pkt[at + 14] = 0x45;
                        pkt[at + 23] = (byte) (rnd.nextBoolean() ? 17 : 6);
                        if (rnd.nextBoolean() && pkt.length >= at + 38) pkt[at + 36] = 0;
                    }
                    String what = p.name() + " " + CorpusHarness.hex(pkt);
                    String kErr = null, oErr = null;
                    Out k = null, o = null;
                    try {
                        k = kernel.run(p.name(), pkt, ctx);
                    } catch (KernelBpfException e) {
                        kErr = e.errnoName();
                    }
                    try {
                        o = obpf.run(p.name(), pkt, ctx);
                    } catch (org.obpf.api.BpfException e) {
                        oErr = e.errno() == null ? e.getMessage() : e.errno().name() + " (" + e.getMessage() + ")";
                    }
                    runs++;
                    if (kErr != null || oErr != null) {
                        refusals++;
                        if (kErr == null || oErr == null || !oErr.startsWith(kErr)) {
                            diffs.add(what + ": kernel " + (kErr != null ? "refuses " + kErr : k) + ", OBPF " + (oErr != null ? "refuses " + oErr : o));
                        }
                        continue;
                    }
                    if (k.retval() != o.retval()) diffs.add(what + ": retval kernel " + k.retval() + ", OBPF " + o.retval());
                    if (!CorpusHarness.hex(k.dataOut()).equals(CorpusHarness.hex(o.dataOut()))) diffs.add(what + ": data_out differs");
                    if (!CorpusHarness.hex(k.ctxOut()).equals(CorpusHarness.hex(o.ctxOut()))) {
                        diffs.add(what + ": ctx_out kernel " + CorpusHarness.hex(k.ctxOut()) + ", OBPF " + CorpusHarness.hex(o.ctxOut()));
                    }
                }
            }
            for (MapDefinition d : obj.maps()) {
                if (CorpusHarness.dumpable(d.spec().type())) {
                    var kd = kernel.dump(d.name());
                    var od = obpf.dump(d.name());
                    if (!kd.equals(od)) diffs.add("map " + d.name() + ": kernel " + kd + ", OBPF " + od);
                } else if (d.spec().type() == MapType.RINGBUF) {
                    List<String> kr = kernel.ringbufRecords(d.name()).stream().map(CorpusHarness::hex).toList();
                    List<String> or = obpf.ringbufRecords(d.name()).stream().map(CorpusHarness::hex).toList();
                    if (!kr.equals(or)) diffs.add("ring buffer " + d.name() + ": kernel " + kr + ", OBPF " + or);
                } else if (d.spec().type() == MapType.QUEUE || d.spec().type() == MapType.STACK) {
                    String kp = kernel.peek(d.name()).map(CorpusHarness::hex).orElse(null);
                    String op = obpf.peek(d.name()).map(CorpusHarness::hex).orElse(null);
                    if (!String.valueOf(kp).equals(String.valueOf(op))) diffs.add("map " + d.name() + " head: kernel " + kp + ", OBPF " + op);
                }
            }
        }
        RANDOM_RUNS.addAndGet(runs);
        RANDOM_REFUSED.addAndGet(refusals);
        assertTrue(diffs.isEmpty(), name + ": kernel and OBPF disagree on random packets:\n  " + String.join("\n  ", diffs));
    }

    private static final AtomicInteger RANDOM_RUNS = new AtomicInteger();
    private static final AtomicInteger RANDOM_REFUSED = new AtomicInteger();

    /**
     * Linux 6.18's {@code bpf_prog_test_run_skb} refuses (EINVAL) an input whose EtherType says
     * IPv4 but which holds fewer than 20 bytes after the Ethernet header, or IPv6 and fewer than
     * 40, for every skb type (SCHED_CLS, SCHED_ACT, SOCKET_FILTER); OBPF's TestRunner refuses it
     * the same way. One byte more and both run it and agree.
     */
    @org.junit.jupiter.api.Test
    void skbWithTruncatedL3HeaderIsRefusedByBoth() throws Exception {
        Kernel.require();
        BpfObject multi = CorpusHarness.object("multi_prog");
        BpfObject attach = CorpusHarness.object("attach_sections");
        try (CorpusHarness.Kern km = new CorpusHarness.Kern(multi); CorpusHarness.Obpf om = new CorpusHarness.Obpf(multi);
             CorpusHarness.Kern ka = new CorpusHarness.Kern(attach); CorpusHarness.Obpf oa = new CorpusHarness.Obpf(attach)) {
            for (int[] c : new int[][] {{0x0800, 14 + 20}, {0x86dd, 14 + 40}}) {
                byte[] shortPkt = new byte[c[1] - 1];
                byte[] fullPkt = new byte[c[1]];
                for (byte[] p : new byte[][] {shortPkt, fullPkt}) {
                    p[12] = (byte) (c[0] >> 8);
                    p[13] = (byte) c[0];
                    p[14] = (byte) (c[0] == 0x0800 ? 0x45 : 0x60);
                }
                String what = "EtherType 0x" + Integer.toHexString(c[0]) + ", " + shortPkt.length + " bytes";
                for (var run : List.of(new Object[] {km, om, "tc_count", true}, new Object[] {km, om, "sock_count", false},
                        new Object[] {ka, oa, "act", false})) {
                    CorpusHarness.Kern k = (CorpusHarness.Kern) run[0];
                    CorpusHarness.Obpf o = (CorpusHarness.Obpf) run[1];
                    String prog = (String) run[2];
                    boolean ctx = (Boolean) run[3];
                    KernelBpfException e = org.junit.jupiter.api.Assertions.assertThrows(KernelBpfException.class, () -> k.run(prog, shortPkt, ctx),
                            prog + ", " + what + ": the kernel refuses");
                    assertEquals("EINVAL", e.errnoName(), prog + ", " + what);
                    org.obpf.api.BpfException oe = org.junit.jupiter.api.Assertions.assertThrows(org.obpf.api.BpfException.class,
                            () -> o.run(prog, shortPkt, ctx), prog + ", " + what + ": OBPF refuses");
                    assertEquals(org.obpf.api.Errno.EINVAL, oe.errno(), prog + ", " + what);
                    Out kf = k.run(prog, fullPkt, ctx);
                    Out of = o.run(prog, fullPkt, ctx);
                    assertEquals(kf.toString(), of.toString(), prog + ", one byte more: both run it and agree");
                }
            }
        }
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
        if (INPUTS.get() == 0 && RANDOM_RUNS.get() == 0) return;
        System.out.println("corpus differential: " + PROGRAMS.size() + " programs, " + INPUTS.get() + " inputs, " + MAPS.get()
                + " map comparisons, " + (DISAGREED.isEmpty() ? "all agreed" : DISAGREED.size() + " disagreements: " + DISAGREED));
        System.out.println("corpus differential: not run: " + CorpusCases.NOT_RUN);
        System.out.println("corpus differential: random packets: " + RANDOM_RUNS.get() + " runs, " + RANDOM_REFUSED.get()
                + " of them refused by both with the same errno");
    }
}
