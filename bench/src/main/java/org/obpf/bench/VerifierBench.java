package org.obpf.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.obpf.core.verifier.Verifier;
import org.obpf.core.verifier.VerifierOptions;
import org.obpf.core.verifier.VerifierResult;
import org.obpf.kernelref.KernelBpf;
import org.obpf.kernelref.KernelVerdict;
import org.obpf.kernelref.KernelVerifier;
import org.obpf.kernelref.VerifierStats;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * OBPF's verifier on the loader corpus, next to the kernel's.
 *
 * <p>{@link #main} prints one table row per corpus program: its size, the instructions OBPF's
 * verifier processed and the states it stored (total / peak), the kernel's figures for the same
 * program (from its log statistics, {@code BPF_LOG_STATS}), OBPF's median time per verification
 * (after warm-up) and the kernel's median {@code verification time}. The kernel's column needs
 * bpf() (root); without it the table has OBPF's figures only.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar org.obpf.bench.VerifierBench
 * java -jar bench/target/benchmarks.jar VerifierBench          # JMH: time per verification of each program
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@State(Scope.Thread)
public class VerifierBench {

    @Param({"xdp_parse_udp/xdp_parse_udp", "bounded_loop/sum_bytes_loop", "loop_callback/sum_squares",
            "bpf2bpf_calls/xdp_checksum", "ringbuf_events/packet_events", "tc_classifier/tc_mark"})
    public String program;

    private long[] insns;
    private VerifierOptions options;

    @Setup
    public void setup() {
        CorpusPrograms.Entry e = CorpusPrograms.all().stream().filter(p -> p.name().equals(program)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no corpus program " + program));
        insns = e.spec().insns();
        options = e.options();
        VerifierResult r = Verifier.verify(insns, options);
        if (!r.accepted()) throw new IllegalStateException(program + " refused: " + r.error());
    }

    @Benchmark
    public VerifierResult verify() {
        return Verifier.verify(insns, options);
    }

    static final int WARMUP_ROUNDS = 300;
    static final int RUNS = 41;
    static final int KERNEL_RUNS = 15;

    public static void main(String[] args) throws Exception {
        List<CorpusPrograms.Entry> progs = CorpusPrograms.all();
        boolean kernel = KernelBpf.availability().available();
        // Warm the JIT on the whole corpus first.
        for (int i = 0; i < WARMUP_ROUNDS; i++) {
            for (CorpusPrograms.Entry e : progs) Verifier.verify(e.spec().insns(), e.options());
        }
        System.out.printf("%-32s %5s | %9s %7s %5s | %9s %7s %5s | %9s %9s %6s%n", "program", "insns", "processed",
                "states", "peak", "k.proc", "k.states", "k.peak", "obpf us", "kernel us", "ratio");
        double sumObpf = 0;
        double sumKernel = 0;
        int faster = 0;
        int compared = 0;
        List<String> notes = new ArrayList<>();
        for (CorpusPrograms.Entry e : progs) {
            long[] insns = e.spec().insns();
            VerifierResult r = Verifier.verify(insns, e.options());
            long[] t = new long[RUNS];
            for (int i = 0; i < RUNS; i++) {
                long t0 = System.nanoTime();
                Verifier.verify(insns, e.options());
                t[i] = System.nanoTime() - t0;
            }
            Arrays.sort(t);
            double ours = t[RUNS / 2] / 1e3;
            String kProc = "-", kStates = "-", kPeak = "-", kTime = "-", ratio = "-";
            if (kernel) {
                try {
                    long[] kt = new long[KERNEL_RUNS];
                    VerifierStats s = null;
                    for (int i = 0; i < KERNEL_RUNS; i++) {
                        KernelVerdict k = KernelVerifier.verify(e.kernelAttr(KernelBpf.BPF_LOG_STATS), e.maps(), e.innerMaps());
                        if (!k.accepted()) throw new IllegalStateException("kernel refused: " + k.reason());
                        s = k.stats().orElseThrow();
                        kt[i] = s.verificationTimeUsec().orElseThrow();
                    }
                    Arrays.sort(kt);
                    double theirs = kt[KERNEL_RUNS / 2];
                    kProc = String.valueOf(s.insnsProcessed());
                    kStates = String.valueOf(s.totalStates());
                    kPeak = String.valueOf(s.peakStates());
                    kTime = String.valueOf(kt[KERNEL_RUNS / 2]);
                    ratio = String.format("%.2f", ours / Math.max(theirs, 1));
                    sumObpf += ours;
                    sumKernel += theirs;
                    compared++;
                    if (ours <= theirs) faster++;
                } catch (Exception ex) {
                    notes.add(e.name() + ": kernel side not measured: " + ex.getMessage());
                }
            }
            System.out.printf("%-32s %5d | %9d %7d %5d | %9s %7s %5s | %9.1f %9s %6s%s%n", e.name(), insns.length,
                    r.processed(), r.totalStates(), r.peakStates(), kProc, kStates, kPeak, ours, kTime, ratio,
                    r.accepted() ? "" : "  REFUSED: " + r.error());
        }
        if (compared > 0) {
            System.out.printf("%d programs on both: OBPF %.0f us in all, kernel %.0f us; OBPF no slower on %d of %d%n", compared,
                    sumObpf, sumKernel, faster, compared);
        } else {
            System.out.println("kernel column empty: " + KernelBpf.availability().reason());
        }
        notes.forEach(System.out::println);
    }
}
