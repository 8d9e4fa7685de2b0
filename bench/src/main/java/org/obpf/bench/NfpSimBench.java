package org.obpf.bench;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.obpf.api.BpfException;
import org.obpf.api.insn.Insn;
import org.obpf.api.jit.CompileOptions;
import org.obpf.api.jit.CompileRequest;
import org.obpf.api.offload.DeviceImage;
import org.obpf.api.prog.ProgramType;
import org.obpf.jit.nfp.NfpJitBackend;
import org.obpf.offload.nfp.NfpDevice;
import org.obpf.offload.nfp.NfpProgram;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Speed of the simulated NFP's microengine (offload-nfp), in simulated microengine instructions
 * per second ({@code :meInsns}): a BPF loop compiled by jit-nfp, loaded by dynamic offload and
 * run through the device (each run also resets the microengine and packet buffer).
 *
 * <pre>java -jar bench/target/benchmarks.jar NfpSimBench</pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class NfpSimBench {
    static final int COUNT = 100_000;

    /** Microengine instructions executed, reported per second. */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class MeInsns {
        public long meInsns;

        @Setup(Level.Iteration)
        public void reset() {
            meInsns = 0;
        }
    }

    /**
     * 64-bit ALU work and a stack round trip per iteration (the stack is local memory):
     * <pre>
     *   r1 = COUNT; r0 = 0; r2 = 0; *(u64 *)(r10 - 8) = r2
     * loop:
     *   r0 += 3; r0 ^= r1; r2 = *(u64 *)(r10 - 8); r2 += r1; *(u64 *)(r10 - 8) = r2
     *   r1 += -1; if r1 != 0 goto loop
     *   r0 ^= r2; exit
     * </pre>
     */
    static final long[] LOOP = {
        Insn.encode(0xb7, 1, 0, 0, COUNT), Insn.encode(0xb7, 0, 0, 0, 0), Insn.encode(0xb7, 2, 0, 0, 0),
        Insn.encode(0x7b, 10, 2, -8, 0),
        Insn.encode(0x07, 0, 0, 0, 3), Insn.encode(0xaf, 0, 1, 0, 0), Insn.encode(0x79, 2, 10, -8, 0),
        Insn.encode(0x0f, 2, 1, 0, 0), Insn.encode(0x7b, 10, 2, -8, 0), Insn.encode(0x07, 1, 0, 0, -1),
        Insn.encode(0x55, 1, 0, -7, 0),
        Insn.encode(0xaf, 0, 2, 0, 0), Insn.encode(0x95, 0, 0, 0, 0),
    };

    private NfpProgram prog;
    private long expected;

    @Setup
    public void setup() throws Exception {
        NfpDevice dev = new NfpDevice("nfp-bench", 1 << 20);
        NfpJitBackend jit = new NfpJitBackend();
        var image = jit.compile(new CompileRequest("loop", ProgramType.XDP, LOOP, null, null, false, CompileOptions.DEFAULT));
        prog = dev.load(new DeviceImage.Dynamic("loop", ProgramType.XDP, image, List.of()));
        long c = 0, s = 0;
        for (long n = COUNT; n > 0; n--) {
            c += 3;
            c ^= n;
            s += n;
        }
        expected = c ^ s;
        // the program must compute what it claims, or the figure means nothing
        long got = prog.runWithMemory(null);
        if (got != expected) throw new IllegalStateException("loop: expected " + expected + ", got " + got);
    }

    /** About 2.4 M microengine instructions per run. */
    @Benchmark
    public long loop(MeInsns n) throws BpfException {
        long r = prog.runWithMemory(null);
        n.meInsns += prog.lastInstructions();
        return r;
    }
}
