package org.obpf.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;
import org.obpf.api.BpfException;
import org.obpf.core.helper.HelperTable;
import org.obpf.core.interp.Interpreter;
import org.obpf.core.interp.Program;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Interpreter speed on loop-heavy programs. Besides runs per second, each benchmark reports
 * {@code insns}: BPF instructions executed per second (the interpreter's exact count of each run,
 * summed by a JMH auxiliary counter).
 *
 * <pre>java -jar bench/target/benchmarks.jar InterpreterBench</pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@State(Scope.Thread)
public class InterpreterBench {

    static final int LOOP_COUNT = 1_000_000;
    static final int PACKET_SIZE = 1500;
    static final int SORT_SIZE = 64; // 512 bytes: the whole stack frame

    /** Instructions executed, reported as a rate next to the primary result. */
    private Interpreter vm;
    private Program counting;
    private Program checksum;
    private Program sort;
    private Arena arena;
    private MemorySegment packet;

    @Setup
    public void setup() throws BpfException {
        vm = new Interpreter();
        counting = Program.load(Programs.countingLoop(LOOP_COUNT), HelperTable.builtins());
        checksum = Program.load(Programs.checksum(), HelperTable.builtins());
        sort = Program.load(Programs.bubbleSort(SORT_SIZE), HelperTable.builtins());
        arena = Arena.ofShared();
        packet = arena.allocate(PACKET_SIZE, 8);
        for (int i = 0; i < PACKET_SIZE; i++) packet.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 31 + 7));
        // The programs must compute what they claim, or the figures mean nothing.
        check("countingLoop", LOOP_COUNT, vm.run(counting, (MemorySegment) null));
        check("checksum", expectedChecksum(packet), vm.run(checksum, packet));
        long squares = 0;
        for (long i = 1; i <= SORT_SIZE; i++) squares += i * i;
        check("bubbleSort", squares, vm.run(sort, (MemorySegment) null));
    }

    @TearDown
    public void tearDown() {
        arena.close();
    }

    private static void check(String what, long expected, long actual) {
        if (expected != actual) {
            throw new IllegalStateException(what + ": expected 0x" + Long.toHexString(expected) + ", got 0x" + Long.toHexString(actual));
        }
    }

    static long expectedChecksum(MemorySegment packet) {
        long sum = 0;
        for (long i = 0; i < packet.byteSize(); i += 2) sum += packet.get(ValueLayout.JAVA_SHORT_UNALIGNED, i) & 0xffff;
        sum = (sum & 0xffff) + (sum >>> 16);
        sum = (sum & 0xffff) + (sum >>> 16);
        return sum ^ 0xffff;
    }

    @Benchmark
    public long countingLoop(Insns n) throws BpfException {
        long r0 = vm.run(counting, (MemorySegment) null);
        n.insns += vm.insnCount();
        return r0;
    }

    @Benchmark
    public long checksum1500(Insns n) throws BpfException {
        long r0 = vm.run(checksum, packet);
        n.insns += vm.insnCount();
        return r0;
    }

    @Benchmark
    public long bubbleSort64(Insns n) throws BpfException {
        long r0 = vm.run(sort, (MemorySegment) null);
        n.insns += vm.insnCount();
        return r0;
    }
}
