package org.obpf.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.obpf.api.insn.Insn;
import org.obpf.api.insn.Opcodes;
import org.obpf.api.jit.CompileOptions;
import org.obpf.api.jit.CompileRequest;
import org.obpf.api.jit.JitBackend;
import org.obpf.api.jit.JitException;
import org.obpf.api.jit.LinkException;
import org.obpf.api.jit.LinkedImage;
import org.obpf.api.jit.RelocatableImage;
import org.obpf.api.jit.SymbolTable;
import org.obpf.api.prog.ProgramType;
import org.obpf.jit.riscv.Rv32JitBackend;
import org.obpf.jit.riscv.Rv64JitBackend;
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
 * Compile + link time of each back-end ({@code arch}: x86-64, and RISC-V rv64 and rv32): one operation is {@code compile} (validation, convergence passes)
 * and {@code link} of a whole program; {@code insns} counts its BPF instruction slots, so the
 * auxiliary rate is BPF instructions compiled and linked per second (its inverse is the time per
 * instruction).
 *
 * <pre>java -jar bench/target/benchmarks.jar CompileBench</pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@State(Scope.Thread)
public class CompileBench {

    /** {@code sort}: the bubble sort; {@code alu4096}: 4096 random ALU instructions with forward branches. */
    @Param({"sort", "alu4096"})
    public String program;

    @Param({"false", "true"})
    public boolean blind;

    @Param({"x86_64", "riscv64", "riscv32"})
    public String arch;

    private JitBackend jit;
    private CompileRequest request;
    private SymbolTable symbols;
    private int slots;

    @Setup
    public void setup() {
        jit = switch (arch) {
            case "x86_64" -> new X86_64JitBackend();
            case "riscv64" -> new Rv64JitBackend();
            case "riscv32" -> new Rv32JitBackend();
            default -> throw new IllegalArgumentException("unknown arch " + arch);
        };
        long[] prog = program.equals("sort") ? Programs.bubbleSort(InterpreterBench.SORT_SIZE) : aluProgram(4096);
        slots = prog.length;
        request = new CompileRequest("bench", ProgramType.SOCKET_FILTER, prog, null, null, false,
                CompileOptions.DEFAULT.withBlindConstants(blind));
        symbols = SymbolTable.at(arch.equals("riscv32") ? 0x2000_0000L : 0x7f12_3456_0000L).build();
    }

    static long[] aluProgram(int n) {
        SplittableRandom rnd = new SplittableRandom(1);
        long[] p = new long[n];
        int[] ops = {Opcodes.BPF_ADD, Opcodes.BPF_SUB, Opcodes.BPF_MUL, Opcodes.BPF_OR, Opcodes.BPF_AND, Opcodes.BPF_XOR,
            Opcodes.BPF_LSH, Opcodes.BPF_RSH, Opcodes.BPF_MOV, Opcodes.BPF_DIV};
        for (int i = 0; i < n - 1; i++) {
            if (i % 8 == 7) {
                int off = rnd.nextInt(Math.min(200, n - 2 - i) + 1);
                p[i] = Insn.encode(Opcodes.BPF_JMP | Opcodes.BPF_JGT | Opcodes.BPF_X, rnd.nextInt(10), rnd.nextInt(10), off, 0);
            } else {
                int cls = rnd.nextBoolean() ? Opcodes.BPF_ALU64 : Opcodes.BPF_ALU;
                int op = ops[rnd.nextInt(ops.length)];
                p[i] = rnd.nextBoolean()
                        ? Insn.encode(cls | op | Opcodes.BPF_X, rnd.nextInt(10), rnd.nextInt(10), 0, 0)
                        : Insn.encode(cls | op | Opcodes.BPF_K, rnd.nextInt(10), 0, 0, rnd.nextInt(1, 1 << 20));
            }
        }
        p[n - 1] = Insn.encode(Opcodes.BPF_JMP | Opcodes.BPF_EXIT, 0, 0, 0, 0);
        return p;
    }

    @Benchmark
    public LinkedImage compileAndLink(Insns n) throws JitException, LinkException {
        RelocatableImage img = jit.compile(request);
        n.insns += slots;
        return jit.link(img, symbols);
    }
}
