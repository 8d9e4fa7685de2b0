package org.obpf.bench;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.obpf.api.BpfException;
import org.obpf.api.insn.Insn;
import org.obpf.api.insn.Opcodes;
import org.obpf.api.jit.CompileOptions;
import org.obpf.api.prog.ProgramType;
import org.obpf.core.exec.JitExecution;
import org.obpf.core.prelink.Prelinked;
import org.obpf.core.run.ExecutionEngine;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of zeroing the BPF stack after each run: three programs that do nothing (r0 = 0)
 * but whose runs may dirty none of the stack ({@code none}), one 512-byte frame ({@code frame}:
 * r10 copied to r2) or all eight frames ({@code all}: a BPF-to-BPF call), so each run zeroes 0,
 * 512 or 4096 bytes. {@code all} minus {@code none} is what every run paid before runs zeroed
 * only what their program may write (less the call, a few ns).
 *
 * <pre>java -jar bench/target/benchmarks.jar StackZeroingBench</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@State(Scope.Thread)
public class StackZeroingBench {
    @Param({"none", "frame", "all"})
    public String stack;

    private ExecutionEngine.Executable exe;

    @Setup
    public void setup() throws BpfException {
        long exit = Insn.encode(Opcodes.BPF_JMP | Opcodes.BPF_EXIT, 0, 0, 0, 0);
        long r0 = Insn.encode(Opcodes.BPF_ALU64 | Opcodes.BPF_MOV | Opcodes.BPF_K, 0, 0, 0, 0);
        long r2r10 = Insn.encode(Opcodes.BPF_ALU64 | Opcodes.BPF_MOV | Opcodes.BPF_X, 2, 10, 0, 0);
        long call = Insn.encode(Opcodes.BPF_JMP | Opcodes.BPF_CALL, 0, Opcodes.BPF_PSEUDO_CALL, 0, 1);
        long[] insns;
        int[] subprogs = {0};
        switch (stack) {
            case "none" -> insns = new long[] {r0, exit};
            case "frame" -> insns = new long[] {r2r10, r0, exit};
            case "all" -> {
                insns = new long[] {call, exit, r0, exit};
                subprogs = new int[] {0, 2};
            }
            default -> throw new IllegalArgumentException("stack " + stack + ": none, frame or all");
        }
        Prelinked p = new Prelinked(ProgramType.SOCKET_FILTER, Optional.empty(), insns, List.of(), List.of(), List.of(), subprogs, List.of());
        exe = new JitExecution(new X86_64JitBackend(), CompileOptions.DEFAULT).prepare(p);
    }

    @Benchmark
    public long run() throws BpfException {
        return exe.run(0, 0, List.of());
    }
}
