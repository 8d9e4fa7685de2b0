package org.obpf.bench;

import static org.obpf.api.insn.Opcodes.*;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.obpf.api.insn.Insn;
import org.obpf.launcher.Launcher;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * The back-end hot-swap stress run with figures: the built distribution is booted, a program
 * (count runs in an array map, return XDP_PASS) is loaded onto the x86-64 back-end, THREADS
 * threads run it through core's registry while the {@code org.obpf.jit.x86_64} bundle is
 * uninstalled and installed again CYCLES times (default 1000, 4 threads). Prints runs, failures,
 * the counter (which must equal the runs), and the time to hot-install the back-end (install +
 * start until the program runs JIT'd again) and to uninstall it.
 *
 * <pre>java -cp bench/target/benchmarks.jar org.obpf.bench.BackendStress [CYCLES [THREADS]]   (-Dobpf.dist=DIR)</pre>
 *
 * Framework classes are reached reflectively, as an outside client would: nothing of OBPF on
 * this class path is handed to the framework's services.
 */
public final class BackendStress {
    private BackendStress() {}

    /** map[0] += 1 (atomic), return 2: each run counts itself once. */
    static final long[] PROG = {
            Insn.encode(BPF_ST | BPF_MEM | BPF_W, 10, 0, -4, 0),
            Insn.encode(BPF_ALU64 | BPF_MOV | BPF_X, 2, 10, 0, 0),
            Insn.encode(BPF_ALU64 | BPF_ADD | BPF_K, 2, 0, 0, -4),
            Insn.encode(BPF_LD | BPF_DW | BPF_IMM, 1, BPF_PSEUDO_MAP_FD, 0, 0), 0,
            Insn.encode(BPF_JMP | BPF_CALL, 0, 0, 0, 1),
            Insn.encode(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 2, 0),
            Insn.encode(BPF_ALU64 | BPF_MOV | BPF_K, 1, 0, 0, 1),
            Insn.encode(BPF_STX | BPF_ATOMIC | BPF_DW, 0, 1, 0, BPF_ADD),
            Insn.encode(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 2),
            Insn.encode(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)};

    public static void main(String[] args) throws Throwable {
        int cycles = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        Path dist = Path.of(System.getProperty("obpf.dist", "felix-launcher/target/obpf")).toAbsolutePath().normalize();
        if (!Files.isDirectory(dist.resolve("features"))) {
            System.err.println("no distribution at " + dist + ": build it (mvn -pl felix-launcher -am package) or pass -Dobpf.dist=DIR");
            System.exit(2);
        }
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        long boot = System.nanoTime();
        try (Launcher.Running fw = Launcher.start(dist, List.of("all"), null, Map.of("gosh.args", "--nointeractive",
                "gosh.home", dist.resolve("shell-batch").toString()))) {
            BundleContext ctx = fw.framework().getBundleContext();
            System.out.printf("framework with every feature started in %.0f ms%n", (System.nanoTime() - boot) / 1e6);
            Object sys = service(ctx, "org.obpf.api.registry.BpfSystem");
            Bundle api = bundle(ctx, "org.obpf.api");
            Class<?> system = api.loadClass("org.obpf.api.registry.BpfSystem");
            Class<?> specClass = api.loadClass("org.obpf.api.map.MapSpec");
            Class<?> mapType = api.loadClass("org.obpf.api.map.MapType");
            Class<?> progType = api.loadClass("org.obpf.api.prog.ProgramType");
            Class<?> options = api.loadClass("org.obpf.api.registry.LoadOptions");
            Class<?> request = api.loadClass("org.obpf.api.prog.TestRun$Request");
            Class<?> result = api.loadClass("org.obpf.api.prog.TestRun$Result");
            Class<?> mapInfo = api.loadClass("org.obpf.api.registry.MapInfo");
            Class<?> progInfo = api.loadClass("org.obpf.api.registry.ProgramInfo");

            Object spec = specClass.getConstructors()[0].newInstance("runs", enumValue(mapType, "ARRAY"), 4, 8, 1, 0);
            Object map = system.getMethod("createMap", specClass, String.class).invoke(sys, spec, "/sys/fs/bpf/bench_runs");
            int mapId = (Integer) mapInfo.getMethod("id").invoke(map);
            Object info = system.getMethod("loadRaw", String.class, progType, long[].class, List.class, options)
                    .invoke(sys, "count_runs", enumValue(progType, "XDP"), PROG, List.of(mapId), options.getField("DEFAULT").get(null));
            int id = (Integer) progInfo.getMethod("id").invoke(info);
            Method engine = progInfo.getMethod("engine");
            Method program = system.getMethod("program", int.class);
            Method testRun = system.getMethod("testRun", int.class, request);
            Method retval = result.getMethod("retval");
            Object packet = request.getMethod("of", byte[].class).invoke(null, (Object) new byte[64]);
            System.out.println("program " + id + " on " + engine.invoke(info) + "; " + threads + " threads, " + cycles + " cycles");

            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong runs = new AtomicLong(), failures = new AtomicLong();
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Thread th = new Thread(() -> {
                    while (!stop.get()) {
                        try {
                            long r = (long) retval.invoke(testRun.invoke(sys, id, packet));
                            if (r != 2) throw new IllegalStateException("retval " + r);
                            runs.incrementAndGet();
                        } catch (Throwable e) {
                            Throwable c = e instanceof InvocationTargetException ite ? ite.getCause() : e;
                            if (failures.incrementAndGet() <= 5) System.err.println("run failed: " + c);
                        }
                    }
                }, "stress-" + t);
                th.start();
                workers.add(th);
            }
            long[] install = new long[cycles], uninstall = new long[cycles];
            long start = System.nanoTime();
            for (int i = 0; i < cycles; i++) {
                Bundle jit = bundle(ctx, "org.obpf.jit.x86_64");
                String location = jit.getLocation();
                long t0 = System.nanoTime();
                jit.uninstall();
                uninstall[i] = System.nanoTime() - t0;
                long t1 = System.nanoTime();
                ctx.installBundle(location).start();
                while (!engine.invoke(program.invoke(sys, id)).equals("x86_64")) {
                    if (System.nanoTime() - t1 > 10_000_000_000L) throw new IllegalStateException("not recompiled 10 s after install");
                    Thread.onSpinWait();
                }
                install[i] = System.nanoTime() - t1;
                if ((i + 1) % 100 == 0) System.out.printf("  %d cycles, %d runs, %d failed%n", i + 1, runs.get(), failures.get());
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            stop.set(true);
            for (Thread th : workers) th.join();
            Object bpfMap = system.getMethod("map", int.class).invoke(sys, mapId);
            byte[] v = (byte[]) api.loadClass("org.obpf.api.map.BpfMap").getMethod("lookup", byte[].class).invoke(bpfMap, (Object) new byte[4]);
            long counted = ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN).getLong();
            System.out.printf("backend stress: %d cycles, %d threads, %d runs (%.0f runs/s), %d failed, counter %d (%s)%n", cycles, threads,
                    runs.get(), runs.get() / seconds, failures.get(), counted, counted == runs.get() ? "every run counted once" : "MISMATCH");
            System.out.printf("hot install of org.obpf.jit.x86_64 until the program runs JIT'd again: %s%n", figures(install));
            System.out.printf("uninstall of org.obpf.jit.x86_64 (program moved to the interpreter): %s%n", figures(uninstall));
            if (failures.get() != 0 || counted != runs.get()) System.exit(1);
        }
    }

    private static String figures(long[] ns) {
        long[] s = ns.clone();
        Arrays.sort(s);
        double avg = Arrays.stream(s).average().orElse(0) / 1e6;
        return String.format("average %.2f ms, median %.2f ms, p99 %.2f ms, max %.2f ms", avg, s[s.length / 2] / 1e6,
                s[Math.min(s.length - 1, (int) (s.length * 0.99))] / 1e6, s[s.length - 1] / 1e6);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object enumValue(Class<?> e, String name) {
        return Enum.valueOf((Class) e, name);
    }

    private static Bundle bundle(BundleContext ctx, String name) {
        for (Bundle b : ctx.getBundles()) if (name.equals(b.getSymbolicName())) return b;
        throw new IllegalStateException("no bundle " + name);
    }

    /** All references, not only class-compatible ones: this class path has its own copy of the api classes. */
    private static Object service(BundleContext ctx, String name) throws Exception {
        long end = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < end) {
            ServiceReference<?>[] refs = ctx.getAllServiceReferences(name, null);
            if (refs != null && ctx.getService(refs[0]) != null) return ctx.getService(refs[0]);
            Thread.sleep(10);
        }
        throw new IllegalStateException("no service " + name);
    }
}
