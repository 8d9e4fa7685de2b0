package org.obpf.bench;

import java.util.concurrent.TimeUnit;
import org.obpf.api.BpfException;
import org.obpf.api.jit.CompileOptions;
import org.obpf.api.obj.BpfObject;
import org.obpf.api.obj.ProgramSpec;
import org.obpf.api.prog.TestRun;
import org.obpf.core.exec.JitExecution;
import org.obpf.core.prelink.Prelinked;
import org.obpf.core.run.ExecutionEngine;
import org.obpf.core.run.InterpreterExecution;
import org.obpf.core.run.TestRunner;
import org.obpf.jit.x86_64.X86_64JitBackend;
import org.obpf.kernelref.KernelBpf;
import org.obpf.kernelref.KernelBpfException;
import org.obpf.kernelref.KernelMap;
import org.obpf.kernelref.ProgLoadAttr;
import org.obpf.kernelref.TestRunAttr;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Corpus XDP and tc programs through test_run with {@code repeat} {@value #REPEAT}, on the same
 * packet as {@link CorpusFigures}: one operation is one run, so the score is ns per run, with
 * test_run's per-call cost spread over the repeats as the kernel's own average spreads it.
 * {@code engine=kernel} is the Linux kernel's {@code BPF_PROG_TEST_RUN} (needs root; without it,
 * and for {@code loop_callback}, which needs BTF func_info there, the setup fails naming the
 * reason). Scores are wall-clock time, the syscall included; the kernel's own average (what
 * {@link CorpusFigures} prints) leaves out the time its loop yields the CPU, so on a loaded
 * machine the two differ. {@link CorpusFigures} prints all engines, and the code sizes, as one
 * table.
 *
 * <pre>java -jar bench/target/benchmarks.jar CorpusBench -p program=xdp_parse_udp/xdp_parse_udp</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@State(Scope.Thread)
public class CorpusBench {
    static final int REPEAT = 1000;

    @Param({"xdp_parse_udp/xdp_parse_udp", "xdp_count_array/xdp_count_array", "tc_classifier/tc_mark", "hash_counter/count_sources",
            "bounded_loop/sum_bytes_loop", "bpf2bpf_calls/xdp_checksum", "tail_calls/dispatch", "loop_callback/sum_squares"})
    public String program;

    @Param({"jit", "jit-sandbox", "interpreter", "kernel"})
    public String engine;

    private TestRunner runner;
    private Prelinked prelinked;
    private TestRun.Request request;
    private KernelMap[] kernelMaps;
    private int kernelFd = -1;
    private TestRunAttr kernelAttr;

    @Setup
    public void setup() throws Exception {
        String[] on = program.split("/");
        BpfObject obj = CorpusFigures.object(on[0]);
        ProgramSpec spec = obj.programs().stream().filter(p -> p.name().equals(on[1])).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(on[0] + " has no program " + on[1]));
        byte[] packet = CorpusFigures.udp(60, 53);
        if (engine.equals("kernel")) {
            if (!KernelBpf.available()) throw new IllegalStateException("kernel: " + KernelBpf.unavailableReason());
            if (CorpusFigures.takesCallback(spec.insns())) throw new IllegalStateException(program + ": needs BTF func_info in the kernel");
            kernelMaps = new KernelMap[obj.maps().size()];
            int[] fds = new int[kernelMaps.length];
            for (int i = 0; i < fds.length; i++) {
                var d = obj.maps().get(i);
                kernelMaps[i] = KernelMap.create(d.spec());
                if (d.kind().globalData() && d.initialValue().length > 0) kernelMaps[i].update(new byte[4], d.initialValue());
                fds[i] = kernelMaps[i].fd();
            }
            ProgLoadAttr attr = ProgLoadAttr.of(spec.type(), CorpusFigures.bindToFds(spec.insns(), fds));
            if (spec.expectedAttachType().isPresent()) attr = attr.withExpectedAttachType(spec.expectedAttachType().get().kernelId());
            kernelFd = KernelBpf.progLoad(attr).fd();
            kernelAttr = TestRunAttr.packet(packet).withRepeat(REPEAT);
            return;
        }
        ExecutionEngine e = switch (engine) {
            case "jit" -> new JitExecution(new X86_64JitBackend(), CompileOptions.DEFAULT);
            case "jit-sandbox" -> new JitExecution(new X86_64JitBackend(), CompileOptions.DEFAULT.withSandbox(true));
            case "interpreter" -> new InterpreterExecution();
            default -> throw new IllegalArgumentException("engine " + engine + ": jit, jit-sandbox, interpreter or kernel");
        };
        prelinked = CorpusFigures.prelink(obj, spec);
        runner = new TestRunner(e);
        request = new TestRun.Request(packet, packet.length + 4096, null, 0, REPEAT);
    }

    @TearDown
    public void tearDown() throws KernelBpfException {
        if (prelinked != null) prelinked.release();
        if (kernelFd >= 0) KernelBpf.close(kernelFd);
        if (kernelMaps != null) for (KernelMap m : kernelMaps) if (m != null) m.close();
    }

    @Benchmark
    @OperationsPerInvocation(REPEAT)
    public long testRun() throws BpfException, KernelBpfException {
        if (kernelFd >= 0) return KernelBpf.progTestRun(kernelFd, kernelAttr).retval();
        TestRun.Result r = runner.run(prelinked, request);
        if (r.error() != null) throw new BpfException(r.error(), "test run reported " + r.error());
        return r.retval();
    }
}
