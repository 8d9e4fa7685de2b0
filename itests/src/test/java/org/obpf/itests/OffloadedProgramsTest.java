package org.obpf.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.obpf.launcher.Launcher;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/**
 * Programs and maps bound to an offload device at load ({@code prog load ... dev rfpc0}), in the
 * real runtime: they run on the device, their maps are read through it and hold what the
 * interpreter's copy holds after the same packets; when the device's bundle stops they are
 * orphaned (and stay so when it returns), while host maps keep working.
 */
class OffloadedProgramsTest {
    @TempDir
    Path dir;
    private Launcher.Running fw;
    private BundleContext ctx;
    private Gogo gogo;

    @BeforeEach
    void start() throws Exception {
        fw = Osgi.start("all");
        ctx = fw.framework().getBundleContext();
        assertNotNull(Osgi.service(ctx, "org.obpf.api.registry.BpfSystem"), "core's registry is not registered");
        assertTrue(Osgi.await(this::rfpc0Registered));
        gogo = new Gogo(ctx);
    }

    private boolean rfpc0Registered() {
        try {
            return ctx.getServiceReferences("org.obpf.api.offload.OffloadDevice", "(bpf.offload.dev=rfpc0)") != null;
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new AssertionError(e);
        }
    }

    @AfterEach
    void stop() throws Exception {
        gogo.close();
        fw.close();
    }

    private String good(String command, Predicate<String> check) throws Exception {
        Gogo.Answer a = gogo.run(command);
        System.out.println("g! " + command + "\n" + (a.failed() ? a.error() : a.out()));
        assertFalse(a.failed(), command + " failed: " + a.error());
        assertTrue(check.test(a.out()), command + " answered:\n" + a.out());
        return a.out();
    }

    private String bad(String command) throws Exception {
        Gogo.Answer a = gogo.run(command);
        System.out.println("g! " + command + "\n" + (a.failed() ? a.error() : a.out()));
        assertTrue(a.failed(), command + " should fail but answered:\n" + a.out());
        assertEquals(1, a.error().lines().count(), command + ": " + a.error());
        return a.error();
    }

    private static Predicate<String> line(String regex) {
        return out -> out.lines().anyMatch(l -> l.matches(regex));
    }

    @Test
    void offloadedProgramRunsOnTheDeviceAndIsOrphanedWhenItGoes() throws Exception {
        Path count = Gogo.corpus(dir, "xdp_count_array");
        good("bpf:prog load " + count + " engine interp", line("1 +xdp_count_array +xdp .* interp +interpreted .*"));
        good("bpf:prog load " + count + " dev rfpc0", line("2 +xdp_count_array +xdp .* rfpc0 +offloaded to rfpc0 \\(dynamic\\) .* 3,4 .*"));
        good("bpf:prog show 2", out -> out.contains("engine rfpc0 (offloaded to rfpc0 (dynamic))"));

        assertEquals("prog load: no offload device 'nosuch' (devices: nfp0, rfpc0, rfpc1)", bad("bpf:prog load " + count + " dev nosuch"));
        assertEquals("prog load: flow 'static': the registry offloads by the dynamic flow (the device's loader relocates)",
                bad("bpf:prog load " + count + " dev rfpc0 flow static"));
        String refused = bad("bpf:prog load " + Gogo.corpus(dir, "tc_classifier") + " dev rfpc0");
        assertTrue(refused.startsWith("prog load: prog ") && refused.contains(" cannot be offloaded to rfpc0: ")
                && refused.contains("does not run sched_cls programs"), refused);

        String[] packets = {ShellSessionTest.UDP60, "000000000000000000000000" + "86dd" + "00".repeat(60),
                "000000000000000000000000" + "0806" + "00".repeat(30), ShellSessionTest.UDP60};
        for (String p : packets) {
            String host = good("bpf:prog run 1 data_in " + p, out -> out.contains("retval"));
            String dev = good("bpf:prog run 2 data_in " + p, out -> out.contains("retval"));
            assertEquals(retvalAndData(host), retvalAndData(dev), p);
        }
        for (int m = 1; m <= 2; m++) {
            String host = good("bpf:map dump " + m, out -> true);
            String dev = good("bpf:map dump " + (m + 2), out -> true);
            assertEquals(host, dev, "map " + m + " and its device copy " + (m + 2));
            assertTrue(host.lines().anyMatch(l -> !l.matches(".* 00( 00)*$")), "the packets changed map " + m + ":\n" + host);
        }
        // two UDP packets of 60 bytes: proto_packets[17] = 2 and proto_bytes[17] = 120, counted on the device
        assertTrue(line("11 00 00 00 +02 00 00 00 00 00 00 00 +17 +2").test(good("bpf:map dump 3", out -> true)));
        assertTrue(line("11 00 00 00 +78 00 00 00 00 00 00 00 +17 +120").test(good("bpf:map dump 4", out -> true)));
        good("bpf:map lookup 3 key u32 17", out -> out.contains("(key 17, value 2)"));
        good("bpf:map update 3 key u32 17 value u64 7", out -> true);
        good("bpf:prog run 2 data_in " + ShellSessionTest.UDP60, out -> out.startsWith("retval: 2\n"));
        good("bpf:map lookup 3 key u32 17", out -> out.contains("(key 17, value 8)"));

        Bundle rfpc = Osgi.bundle(ctx, "org.obpf.offload.rfpc");
        rfpc.stop();
        String gone = "device rfpc0 gone (orphaned: stays gone if it returns)";
        good("bpf:prog show 2", out -> out.contains("engine rfpc0 (" + gone + ")"));
        good("bpf:prog list", line("2 +xdp_count_array +xdp .* rfpc0 +device rfpc0 gone .*"));
        assertEquals("prog run: prog 2: " + gone, bad("bpf:prog run 2 data_in " + ShellSessionTest.UDP60));
        assertEquals("map dump: map 3: " + gone, bad("bpf:map dump 3"));
        good("bpf:map dump 1", out -> !out.isBlank());
        good("bpf:prog run 1 data_in " + ShellSessionTest.UDP60, out -> out.contains("retval"));

        rfpc.start();
        assertTrue(Osgi.await(this::rfpc0Registered));
        assertEquals("prog run: prog 2: " + gone, bad("bpf:prog run 2 data_in " + ShellSessionTest.UDP60));
        good("bpf:prog unload 2", out -> true);
        // the refused tc_classifier took id 3 (ids are taken before translation)
        good("bpf:prog load " + count + " dev rfpc0", line("4 +xdp_count_array +xdp .* rfpc0 +offloaded to rfpc0 \\(dynamic\\) .*"));
        good("bpf:prog run 4 data_in " + ShellSessionTest.UDP60, out -> out.contains("retval"));
    }

    /** The run's answer without its timing. */
    private static String retvalAndData(String out) {
        return String.join("\n", out.lines().filter(l -> !l.contains("duration") && !l.contains(" ns")).toList());
    }
}
