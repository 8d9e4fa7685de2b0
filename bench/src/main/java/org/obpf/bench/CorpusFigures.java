package org.obpf.bench;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.obpf.api.BpfException;
import org.obpf.api.Errno;
import org.obpf.api.insn.Insn;
import org.obpf.api.insn.Opcodes;
import org.obpf.api.jit.CompileOptions;
import org.obpf.api.obj.BpfObject;
import org.obpf.api.obj.MapDefinition;
import org.obpf.api.obj.ProgramSpec;
import org.obpf.api.prog.ProgramType;
import org.obpf.api.prog.TestRun;
import org.obpf.core.exec.JitExecution;
import org.obpf.core.helper.HelperTable;
import org.obpf.core.map.AbstractBpfMap;
import org.obpf.core.map.MapTable;
import org.obpf.core.prelink.Prelinked;
import org.obpf.core.prelink.Prelinker;
import org.obpf.core.run.ExecutionEngine;
import org.obpf.core.run.InterpreterExecution;
import org.obpf.core.run.TestRunner;
import org.obpf.jit.x86_64.X86_64JitBackend;
import org.obpf.kernelref.KernelBpf;
import org.obpf.kernelref.KernelBpfException;
import org.obpf.kernelref.KernelMap;
import org.obpf.kernelref.ProgLoadAttr;
import org.obpf.kernelref.TestRunAttr;
import org.obpf.kernelref.TestRunResult;

/**
 * The corpus XDP and tc programs next to the Linux kernel: per-run time through test_run with
 * {@code repeat} (the kernel's {@code BPF_PROG_TEST_RUN} average, OBPF's {@link TestRunner}
 * average on the x86-64 JIT without and with sandbox mode and on the interpreter), all on the
 * same packet, and the code size of the kernel's JIT ({@code jited_prog_len}) next to ours. Each
 * figure is the best of {@link #ROUNDS} rounds of {@link #REPEAT} runs (the first rounds warm the
 * JVM up; many short rounds let the best one run undisturbed on a loaded machine, where the wall
 * clock OBPF's test_run reads also counts the time its thread waits for a CPU).
 *
 * <pre>java --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar org.obpf.bench.CorpusFigures [repeat [rounds]]</pre>
 *
 * The kernel columns need root (BPF_PROG_LOAD); without it they show {@code -}. Programs that
 * pass callbacks ({@code lddw BPF_PSEUDO_FUNC}) need BTF func_info in the kernel, which this
 * tool does not build: their kernel columns show {@code -} too.
 */
public final class CorpusFigures {
    static int ROUNDS = 50;
    static int REPEAT = 10_000;

    private CorpusFigures() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0) REPEAT = Integer.parseInt(args[0]);
        if (args.length > 1) ROUNDS = Integer.parseInt(args[1]);
        boolean kernel = KernelBpf.available();
        X86_64JitBackend x86 = new X86_64JitBackend();
        JitExecution plain = new JitExecution(x86, CompileOptions.DEFAULT);
        JitExecution sandbox = new JitExecution(x86, CompileOptions.DEFAULT.withSandbox(true));
        InterpreterExecution interp = new InterpreterExecution();
        byte[] packet = udp(60, 53);
        System.out.printf("packet: %d-byte IPv4/UDP to port 53; repeat %d, best of %d rounds; kernel: %s%n", packet.length, REPEAT,
                ROUNDS, kernel ? "yes" : KernelBpf.unavailableReason());
        System.out.printf("%-32s %9s %9s %9s %9s %8s %8s %8s %6s %6s%n", "program", "kern ns", "jit ns", "jit-sb ns", "interp ns",
                "kern B", "jit B", "jit-sb B", "jit/k", "B/kB");
        List<double[]> ratios = new ArrayList<>();
        for (String name : index()) {
            BpfObject obj = object(name);
            for (ProgramSpec p : obj.programs()) {
                ProgramType t = p.type();
                if (t != ProgramType.XDP && t != ProgramType.SCHED_CLS && t != ProgramType.SCHED_ACT) continue;
                Prelinked pl;
                try {
                    pl = prelink(obj, p);
                } catch (BpfException e) {
                    System.out.printf("%-32s prelink refused: %s%n", name + "/" + p.name(), e.getMessage());
                    continue;
                }
                TestRun.Request req = new TestRun.Request(packet, packet.length + 4096, null, 0, REPEAT);
                long jit, jitSb, in;
                try {
                    jit = best(plain, pl, req);
                    jitSb = best(sandbox, pl, req);
                    in = best(interp, pl, req);
                } catch (BpfException e) {
                    System.out.printf("%-32s test_run refused: %s%n", name + "/" + p.name(), e.getMessage());
                    pl.release();
                    continue;
                }
                int jitBytes = ((JitExecution.Compiled) plain.prepare(pl)).program().linked().size();
                int sbBytes = ((JitExecution.Compiled) sandbox.prepare(pl)).program().linked().size();
                long[] k = kernel && !takesCallback(p.insns()) ? kernel(obj, p, packet) : null;
                String ks = k == null ? "-" : Long.toString(k[0]), kb = k == null ? "-" : Long.toString(k[1]);
                String rt = k == null ? "-" : String.format("%.2f", (double) jit / Math.max(1, k[0]));
                String rb = k == null ? "-" : String.format("%.2f", (double) jitBytes / k[1]);
                if (k != null) ratios.add(new double[] {(double) jit / Math.max(1, k[0]), (double) jitBytes / k[1]});
                System.out.printf("%-32s %9s %9d %9d %9d %8s %8d %8d %6s %6s%n", name + "/" + p.name(), ks, jit, jitSb, in, kb, jitBytes,
                        sbBytes, rt, rb);
                pl.release();
            }
        }
        if (!ratios.isEmpty()) {
            double t = 1, b = 1;
            for (double[] r : ratios) {
                t *= r[0];
                b *= r[1];
            }
            System.out.printf("geometric mean over %d programs: JIT time / kernel time %.2f, JIT bytes / kernel bytes %.2f%n", ratios.size(),
                    Math.pow(t, 1.0 / ratios.size()), Math.pow(b, 1.0 / ratios.size()));
        }
        stackZeroing(plain);
    }

    /**
     * The per-run cost of zeroing the stack a run may have written, on programs that only set r0:
     * none of it, one frame (r10 copied to r2), every frame (a BPF-to-BPF call); as in
     * {@link StackZeroingBench}, best of many rounds of direct runs.
     */
    static void stackZeroing(JitExecution jit) throws BpfException {
        long exit = Insn.encode(Opcodes.BPF_JMP | Opcodes.BPF_EXIT, 0, 0, 0, 0);
        long r0 = Insn.encode(Opcodes.BPF_ALU64 | Opcodes.BPF_MOV | Opcodes.BPF_K, 0, 0, 0, 0);
        long r2r10 = Insn.encode(Opcodes.BPF_ALU64 | Opcodes.BPF_MOV | Opcodes.BPF_X, 2, 10, 0, 0);
        long call = Insn.encode(Opcodes.BPF_JMP | Opcodes.BPF_CALL, 0, Opcodes.BPF_PSEUDO_CALL, 0, 1);
        long[][] progs = {{r0, exit}, {r2r10, r0, exit}, {call, exit, r0, exit}};
        int[][] subprogs = {{0}, {0}, {0, 2}};
        double[] best = {Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE};
        List<ExecutionEngine.Executable> exes = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
            exes.add(jit.prepare(new Prelinked(ProgramType.SOCKET_FILTER, java.util.Optional.empty(), progs[k], List.of(), List.of(),
                    List.of(), subprogs[k], List.of())));
        }
        for (int r = 0; r < ROUNDS * 4; r++) {
            for (int k = 0; k < 3; k++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < REPEAT; i++) exes.get(k).run(0, 0, List.of());
                best[k] = Math.min(best[k], (System.nanoTime() - t0) / (double) REPEAT);
            }
        }
        System.out.printf("JIT run that zeroes 0 / 512 / 4096 bytes of stack: %.1f / %.1f / %.1f ns%n", best[0], best[1], best[2]);
    }

    /** The best average ns/run of {@link #ROUNDS} test runs. */
    static long best(ExecutionEngine engine, Prelinked p, TestRun.Request req) throws BpfException {
        TestRunner runner = new TestRunner(engine);
        long best = Long.MAX_VALUE;
        for (int i = 0; i < ROUNDS; i++) {
            TestRun.Result r = runner.run(p, req);
            if (r.error() != null) throw new BpfException(r.error(), "test run on " + engine.name() + " reported " + r.error());
            best = Math.min(best, r.durationNs());
        }
        return best;
    }

    /** {ns per run, jited_prog_len} of the program loaded in the kernel, or null if it refuses it. */
    static long[] kernel(BpfObject obj, ProgramSpec p, byte[] packet) {
        List<KernelMap> maps = new ArrayList<>();
        int fd = -1;
        try {
            for (MapDefinition d : obj.maps()) {
                KernelMap m = KernelMap.create(d.spec());
                maps.add(m);
                if (d.kind().globalData() && d.initialValue().length > 0) m.update(new byte[4], d.initialValue());
            }
            int[] fds = maps.stream().mapToInt(KernelMap::fd).toArray();
            String kname = p.name().length() > 15 ? p.name().substring(0, 15) : p.name();
            ProgLoadAttr attr = ProgLoadAttr.of(p.type(), bindToFds(p.insns(), fds)).withName(kname);
            if (p.expectedAttachType().isPresent()) attr = attr.withExpectedAttachType(p.expectedAttachType().get().kernelId());
            fd = KernelBpf.progLoad(attr).fd();
            long best = Long.MAX_VALUE;
            for (int i = 0; i < ROUNDS; i++) {
                TestRunResult r = KernelBpf.progTestRun(fd, TestRunAttr.packet(packet).withRepeat(REPEAT));
                best = Math.min(best, r.duration());
            }
            return new long[] {best, KernelBpf.progInfo(fd).jitedProgLen()};
        } catch (KernelBpfException e) {
            System.out.println("  kernel refused " + p.name() + ": " + e.getMessage());
            return null;
        } finally {
            try {
                if (fd >= 0) KernelBpf.close(fd);
                for (KernelMap m : maps) m.close();
            } catch (KernelBpfException e) {
                System.out.println("  closing: " + e.getMessage());
            }
        }
    }

    static Prelinked prelink(BpfObject obj, ProgramSpec p) throws BpfException {
        MapTable table = new MapTable();
        int[] fds = new int[obj.maps().size()];
        for (int i = 0; i < fds.length; i++) {
            MapDefinition d = obj.maps().get(i);
            fds[i] = table.create(d.spec());
            if (d.kind().globalData() && d.initialValue().length > 0) {
                table.get(fds[i]).update(new byte[4], d.initialValue(), AbstractBpfMap.BPF_ANY);
            }
        }
        Prelinker.MapResolver resolver = new Prelinker.MapResolver() {
            @Override
            public AbstractBpfMap byFd(int fd) throws BpfException {
                return table.get(fd);
            }

            @Override
            public AbstractBpfMap byIndex(int idx) throws BpfException {
                if (idx < 0 || idx >= fds.length) throw new BpfException(Errno.EINVAL, "map index " + idx);
                return table.get(fds[idx]);
            }
        };
        return Prelinker.prelink(p.insns(), p.type(), resolver, HelperTable.builtins(p.type()),
                Prelinker.Options.DEFAULT.withExpectedAttachType(p.expectedAttachType()));
    }

    /** lddw src 5/6 (map index) as src 1/2 with the map's fd, as libbpf passes them. */
    static long[] bindToFds(long[] insns, int[] fds) {
        long[] out = insns.clone();
        for (int pc = 0; pc < out.length; pc++) {
            if (Insn.code(out[pc]) != (Opcodes.BPF_LD | Opcodes.BPF_IMM | Opcodes.BPF_DW)) continue;
            int src = Insn.src(out[pc]);
            if (src == Opcodes.BPF_PSEUDO_MAP_IDX || src == Opcodes.BPF_PSEUDO_MAP_IDX_VALUE) {
                int newSrc = src == Opcodes.BPF_PSEUDO_MAP_IDX ? Opcodes.BPF_PSEUDO_MAP_FD : Opcodes.BPF_PSEUDO_MAP_VALUE;
                long w = (out[pc] & ~(0xfL << 12)) | ((long) newSrc << 12);
                out[pc] = Insn.withImm(w, fds[Insn.imm(out[pc])]);
            }
            pc++;
        }
        return out;
    }

    static boolean takesCallback(long[] insns) {
        for (int pc = 0; pc < insns.length; pc++) {
            if (Insn.code(insns[pc]) != (Opcodes.BPF_LD | Opcodes.BPF_IMM | Opcodes.BPF_DW)) continue;
            if (Insn.src(insns[pc]) == Opcodes.BPF_PSEUDO_FUNC) return true;
            pc++;
        }
        return false;
    }

    /** An Ethernet + IPv4 + UDP frame of {@code len} bytes from 10.0.0.1:1234 to 10.0.0.2:{@code dport}. */
    static byte[] udp(int len, int dport) {
        ByteBuffer b = ByteBuffer.allocate(Math.max(len, 42)).order(ByteOrder.BIG_ENDIAN);
        b.put(new byte[] {2, 0, 0, 0, 0, 1}).put(new byte[] {2, 0, 0, 0, 0, 2}).putShort((short) 0x0800);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (len - 14)).putShort((short) 1).putShort((short) 0)
                .put((byte) 64).put((byte) 17).putShort((short) 0).put(new byte[] {10, 0, 0, 1}).put(new byte[] {10, 0, 0, 2});
        b.putShort((short) 1234).putShort((short) dport).putShort((short) (len - 34)).putShort((short) 0);
        return Arrays.copyOf(b.array(), len);
    }

    static List<String> index() {
        return CorpusPrograms.index();
    }

    static BpfObject object(String name) {
        return CorpusPrograms.object(name);
    }
}
