package org.obpf.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.obpf.api.BpfException;
import org.obpf.api.jit.CompileOptions;
import org.obpf.api.jit.CompileRequest;
import org.obpf.api.prog.ProgramType;
import org.obpf.core.exec.HelperStubs;
import org.obpf.core.exec.JitProgram;
import org.obpf.core.helper.HelperTable;
import org.obpf.core.interp.Interpreter;
import org.obpf.core.interp.Program;
import org.obpf.jit.x86_64.X86_64JitBackend;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The x86-64 JIT on {@link InterpreterBench}'s programs, run in-process through core's executor
 * (one downcall per run), plain and in sandbox mode. {@code insns} is BPF instructions per second,
 * from the interpreter's exact count of one run (the JIT'd code does not count).
 *
 * <pre>java -jar bench/target/benchmarks.jar JitBench</pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@State(Scope.Thread)
public class JitBench {

    @Param({"false", "true"})
    public boolean sandbox;

    private JitProgram counting;
    private JitProgram checksum;
    private JitProgram sort;
    private long countingInsns;
    private long checksumInsns;
    private long sortInsns;
    private Arena arena;
    private MemorySegment packet;

    @Setup
    public void setup() throws BpfException {
        X86_64JitBackend jit = new X86_64JitBackend();
        HelperStubs stubs = new HelperStubs(HelperTable.builtins());
        CompileOptions o = CompileOptions.DEFAULT.withSandbox(sandbox);
        counting = load(jit, stubs, Programs.countingLoop(InterpreterBench.LOOP_COUNT), o);
        checksum = load(jit, stubs, Programs.checksum(), o);
        sort = load(jit, stubs, Programs.bubbleSort(InterpreterBench.SORT_SIZE), o);
        arena = Arena.ofShared();
        packet = arena.allocate(InterpreterBench.PACKET_SIZE, 8);
        for (int i = 0; i < InterpreterBench.PACKET_SIZE; i++) packet.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 31 + 7));
        Interpreter vm = new Interpreter();
        check("countingLoop", vm.run(Program.load(Programs.countingLoop(InterpreterBench.LOOP_COUNT), HelperTable.builtins()),
                (MemorySegment) null), counting.run(null));
        countingInsns = vm.insnCount();
        check("checksum", vm.run(Program.load(Programs.checksum(), HelperTable.builtins()), packet), checksum.run(packet));
        checksumInsns = vm.insnCount();
        check("bubbleSort", vm.run(Program.load(Programs.bubbleSort(InterpreterBench.SORT_SIZE), HelperTable.builtins()),
                (MemorySegment) null), sort.run(null));
        sortInsns = vm.insnCount();
    }

    static JitProgram load(X86_64JitBackend jit, HelperStubs stubs, long[] prog, CompileOptions o) throws BpfException {
        return JitProgram.load(jit, new CompileRequest("bench", ProgramType.SOCKET_FILTER, prog, null, null, false, o), stubs, Map.of(), null);
    }

    private static void check(String what, long expected, long actual) {
        if (expected != actual) {
            throw new IllegalStateException(what + ": interpreter 0x" + Long.toHexString(expected) + ", JIT 0x" + Long.toHexString(actual));
        }
    }

    @TearDown
    public void tearDown() {
        counting.close();
        checksum.close();
        sort.close();
        arena.close();
    }

    @Benchmark
    public long countingLoop(Insns n) throws BpfException {
        long r0 = counting.run(null);
        n.insns += countingInsns;
        return r0;
    }

    @Benchmark
    public long checksum1500(Insns n) throws BpfException {
        long r0 = checksum.run(packet);
        n.insns += checksumInsns;
        return r0;
    }

    @Benchmark
    public long bubbleSort64(Insns n) throws BpfException {
        long r0 = sort.run(null);
        n.insns += sortInsns;
        return r0;
    }
}
