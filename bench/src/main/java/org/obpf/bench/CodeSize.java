package org.obpf.bench;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.obpf.api.jit.CompileOptions;
import org.obpf.api.jit.CompileRequest;
import org.obpf.api.jit.JitBackend;
import org.obpf.api.jit.JitException;
import org.obpf.api.prog.ProgramType;
import org.obpf.core.conformance.ConformanceSuite;
import org.obpf.jit.riscv.Rv32JitBackend;
import org.obpf.jit.riscv.Rv64JitBackend;
import org.obpf.jit.x86_64.X86_64JitBackend;

/**
 * Prints the code size of the benchmark programs and of the whole conformance suite on every
 * back-end (bytes, and for RISC-V with compression off and the share of compressed instructions).
 *
 * <pre>java -cp bench/target/benchmarks.jar org.obpf.bench.CodeSize</pre>
 */
public final class CodeSize {
    private CodeSize() {}

    public static void main(String[] args) throws JitException {
        Map<String, List<long[]>> programs = new LinkedHashMap<>();
        programs.put("countingLoop", List.of(Programs.countingLoop(1000)));
        programs.put("checksum", List.of(Programs.checksum()));
        programs.put("bubbleSort", List.of(Programs.bubbleSort(InterpreterBench.SORT_SIZE)));
        programs.put("alu4096", List.of(CompileBench.aluProgram(4096)));
        ConformanceSuite.locate(Path.of("")).ifPresent(dir -> programs.put("conformance (295 common)",
                ConformanceSuite.load(dir).cases().stream().filter(tc -> !tc.groups().contains("atomic64") && !tc.groups().contains("callx"))
                        .map(ConformanceSuite.TestCase::program).toList()));
        JitBackend x86 = new X86_64JitBackend();
        JitBackend rv64 = new Rv64JitBackend();
        JitBackend rv32 = new Rv32JitBackend();
        System.out.printf("%-26s %8s %8s %8s %8s %8s %10s %10s%n", "program", "BPF", "x86_64", "riscv64", "rv64 -C", "riscv32", "rv64 RVC%", "rv32 RVC%");
        for (var e : programs.entrySet()) {
            long slots = 0, x = 0, r64 = 0, r64n = 0, r32 = 0;
            long[] c64 = new long[2], c32 = new long[2];
            for (long[] p : e.getValue()) {
                slots += p.length;
                x += size(x86, p, CompileOptions.DEFAULT, null);
                r64 += size(rv64, p, CompileOptions.DEFAULT, c64);
                r64n += size(rv64, p, CompileOptions.DEFAULT.withCompressed(false), null);
                r32 += size(rv32, p, CompileOptions.DEFAULT, c32);
            }
            System.out.printf("%-26s %8d %8d %8d %8d %8d %9.1f%% %9.1f%%%n", e.getKey(), slots, x, r64, r64n, r32,
                    100.0 * c64[0] / c64[1], 100.0 * c32[0] / c32[1]);
        }
    }

    /** Code bytes; counts {compressed, all} instructions into {@code counts} when given. */
    private static int size(JitBackend b, long[] p, CompileOptions o, long[] counts) throws JitException {
        byte[] code = b.compile(new CompileRequest("size", ProgramType.SOCKET_FILTER, p, null, null, false, o)).code();
        if (counts != null) {
            for (int i = 0; i < code.length; ) {
                boolean compressed = (code[i] & 3) != 3;
                counts[0] += compressed ? 1 : 0;
                counts[1]++;
                i += compressed ? 2 : 4;
            }
        }
        return code.length;
    }
}
