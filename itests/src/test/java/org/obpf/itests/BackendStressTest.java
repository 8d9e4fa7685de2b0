package org.obpf.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.obpf.launcher.Launcher;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/**
 * Four threads run a program the x86-64 back-end compiled while the back-end's bundle is
 * uninstalled and installed again, {@value #CYCLES} times (more with {@code -Dobpf.stress.cycles}):
 * no run may fail, and the program's counter map must count exactly the runs made (no run lost,
 * none done twice). The bench module's {@code BackendStress} runs 1000 cycles.
 */
class BackendStressTest {
    static final int CYCLES = 200;

    @Test
    void fourThreadsRunWhileTheBackendBundleComesAndGoes() throws Throwable {
        Figures f = run(Integer.getInteger("obpf.stress.cycles", CYCLES), 4);
        System.out.println(f);
        assertEquals(0, f.failures, f.firstFailures.toString());
        assertEquals(f.runs, f.counted, "proto_packets[17] counts every run exactly once");
        assertEquals(f.cycles + 1, f.compiles, "compiled at load and after every return");
        assertTrue(f.runs > f.cycles, "runs " + f.runs);
    }

    /** What a stress run measured. */
    record Figures(int cycles, int threads, long runs, long failures, List<String> firstFailures, long counted, int compiles,
                   double installMs, double uninstallMs, double seconds) {
        @Override
        public String toString() {
            return String.format("backend stress: %d cycles of uninstall/install of org.obpf.jit.x86_64, %d threads, %d runs, %d failed, "
                    + "counter %d; hot install (install + start until the program runs JIT'd again) %.2f ms average, uninstall "
                    + "%.2f ms average; %.1f s", cycles, threads, runs, failures, counted, installMs, uninstallMs, seconds);
        }
    }

    static Figures run(int cycles, int threads) throws Throwable {
        try (Launcher.Running fw = Osgi.start("all")) {
            BundleContext ctx = fw.framework().getBundleContext();
            Object sys = Osgi.service(ctx, "org.obpf.api.registry.BpfSystem");
            assertNotNull(sys, "core's registry is not registered");
            Bundle api = Osgi.bundle(ctx, "org.obpf.api");
            Class<?> system = api.loadClass("org.obpf.api.registry.BpfSystem");
            Class<?> options = api.loadClass("org.obpf.api.registry.LoadOptions");
            Class<?> request = api.loadClass("org.obpf.api.prog.TestRun$Request");
            Class<?> result = api.loadClass("org.obpf.api.prog.TestRun$Result");
            byte[] elf;
            try (InputStream in = BackendStressTest.class.getClassLoader().getResourceAsStream("corpus/xdp_count_array.o")) {
                elf = in.readAllBytes();
            }
            List<?> loaded = (List<?>) Osgi.call(sys, "loadObject", "xdp_count_array.o", elf, options.getField("DEFAULT").get(null));
            Object info = loaded.get(0);
            int id = (Integer) Osgi.call(info, "id");
            assertEquals("x86_64", Osgi.call(info, "engine"));
            int packetsMap = (Integer) ((List<?>) Osgi.call(info, "mapIds")).get(0);

            Method testRun = system.getMethod("testRun", int.class, request);
            Method retval = result.getMethod("retval");
            Method programInfo = system.getMethod("program", int.class);
            Object packet = request.getMethod("of", byte[].class).invoke(null,
                    (Object) HexFormat.of().parseHex(ShellSessionTest.UDP60));

            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong runs = new AtomicLong(), failures = new AtomicLong();
            ConcurrentLinkedQueue<String> first = new ConcurrentLinkedQueue<>();
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
                            if (failures.incrementAndGet() <= 5) first.add(c.toString());
                        }
                    }
                }, "stress-" + t);
                th.start();
                workers.add(th);
            }
            long start = System.nanoTime();
            long installNs = 0, uninstallNs = 0;
            for (int i = 0; i < cycles; i++) {
                Bundle jit = Osgi.bundle(ctx, "org.obpf.jit.x86_64");
                String location = jit.getLocation();
                long t0 = System.nanoTime();
                jit.uninstall();
                uninstallNs += System.nanoTime() - t0;
                assertEquals("interp", engine(programInfo, sys, id), "after uninstall, cycle " + i);
                long t1 = System.nanoTime();
                ctx.installBundle(location).start();
                while (!engine(programInfo, sys, id).equals("x86_64")) {
                    if (System.nanoTime() - t1 > 10_000_000_000L) throw new AssertionError("not recompiled 10 s after install, cycle " + i);
                    Thread.onSpinWait();
                }
                installNs += System.nanoTime() - t1;
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            stop.set(true);
            for (Thread th : workers) th.join();
            Object map = Osgi.call(sys, "map", packetsMap);
            byte[] v = (byte[]) Osgi.call(map, "lookup", (Object) ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(17).array());
            long counted = ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN).getLong();
            int compiles = (Integer) Osgi.call(programInfo.invoke(sys, id), "compiles");
            return new Figures(cycles, threads, runs.get(), failures.get(), new ArrayList<>(first), counted, compiles,
                    installNs / 1e6 / cycles, uninstallNs / 1e6 / cycles, seconds);
        }
    }

    private static String engine(Method programInfo, Object sys, int id) throws Throwable {
        return (String) Osgi.call(programInfo.invoke(sys, id), "engine");
    }
}
