package org.obpf.itests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.obpf.launcher.Launcher;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * The RFPC devices as users get them: two OffloadDevice services with their own names and sizes,
 * listed by core's offload query, whose answer names every reason a program cannot go there;
 * their maps keep working while back-ends come and go.
 */
class OffloadDevicesTest {
    private Launcher.Running fw;
    private BundleContext ctx;
    private Object query;

    @BeforeEach
    void start() throws Exception {
        fw = Osgi.start("all");
        ctx = fw.framework().getBundleContext();
        query = Osgi.service(ctx, "org.obpf.api.offload.OffloadQuery");
        assertNotNull(query, "core's offload query is not registered");
    }

    @AfterEach
    void stop() throws InterruptedException {
        fw.close();
    }

    private Class<?> api(String name) throws ClassNotFoundException {
        return Osgi.bundle(ctx, "org.obpf.api").loadClass(name);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private Object enumValue(String cls, String name) throws ClassNotFoundException {
        return Enum.valueOf((Class<? extends Enum>) api(cls), name);
    }

    @Test
    void twoDevicesAreListedWithTheirArchAndSizes() throws Throwable {
        ServiceReference<?>[] refs = ctx.getServiceReferences("org.obpf.api.offload.OffloadDevice", "(bpf.offload.arch=riscv32)");
        assertEquals(2, refs.length);
        assertTrue(Osgi.await(() -> {
            try {
                return ((List<?>) Osgi.call(query, "devices")).size() == 3;
            } catch (Throwable t) {
                throw new AssertionError(t);
            }
        }));
        // the RFPCs; the third device is the NFP (offload-nfp), nfp0
        List<Object> infos = new ArrayList<>();
        Object nfp = null;
        for (Object i : (List<?>) Osgi.call(query, "devices")) {
            if ("nfp0".equals(Osgi.call(i, "name"))) nfp = i;
            else infos.add(i);
        }
        assertNotNull(nfp, "nfp0 is listed");
        assertEquals("nfp", Osgi.call(nfp, "arch"));
        assertEquals(8L * 0x3f00, Osgi.call(nfp, "codeBytes"));
        assertEquals("rfpc0", Osgi.call(infos.get(0), "name"));
        assertEquals("rfpc1", Osgi.call(infos.get(1), "name"));
        for (Object i : infos) assertEquals("riscv32", Osgi.call(i, "arch"));
        assertEquals(65536L, Osgi.call(infos.get(0), "codeBytes"));
        assertEquals(262144L, Osgi.call(infos.get(1), "codeBytes"));
        for (ServiceReference<?> r : refs) assertEquals("riscv32", r.getProperty("bpf.offload.arch"));
    }

    @Test
    void queryGivesEveryReasonAndMapsWorkWithoutBackends() throws Throwable {
        long mov = 0x00000002000000b7L; // r0 = 2
        long exit = 0x95L; // and insn 1 below: lock *(u32 *)(r1 + 0) += r2
        Object candidate = api("org.obpf.api.offload.OffloadCandidate").getConstructors()[0].newInstance("p",
                enumValue("org.obpf.api.prog.ProgramType", "XDP"), new long[] {mov, 0x00000000000021c3L, exit},
                List.of(api("org.obpf.api.map.MapSpec").getConstructors()[0].newInstance("lpm",
                        enumValue("org.obpf.api.map.MapType", "LPM_TRIE"), 8, 4, 16, 1)));
        // With jit-riscv installed: the map type (core's query); the atomic is no reason, the
        // device's firmware performs it (__obpf_atomic_add32, the back-end's xobpfatomic calls).
        String deviceReasons = "map 0 (lpm): lpm_trie maps cannot live on device rfpc0";
        assertEquals("rfpc0: cannot offload: " + deviceReasons, Osgi.call(query, "check", "rfpc0", candidate).toString());

        // riscv64 gone (its component disabled): the device does not care.
        Object scr = Osgi.service(ctx, "org.osgi.service.component.runtime.ServiceComponentRuntime");
        Object rv64 = Osgi.call(scr, "getComponentDescriptionDTO", Osgi.bundle(ctx, "org.obpf.jit.riscv"), "org.obpf.jit.riscv.Rv64JitBackend");
        Osgi.call(Osgi.call(scr, "disableComponent", rv64), "getValue");
        assertTrue(Osgi.await(() -> {
            try {
                return ctx.getServiceReferences("org.obpf.api.jit.JitBackend", "(bpf.arch=riscv64)") == null;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }), "riscv64 is still registered");
        assertEquals("rfpc0: cannot offload: " + deviceReasons, Osgi.call(query, "check", "rfpc0", candidate).toString());

        // riscv32 gone too: the query says the device cannot load programs, and why.
        assertEquals("uninstalled obpf-jit-riscv (1 bundle(s) removed)", fw.features().uninstall("obpf-jit-riscv"));
        Object check = Osgi.call(query, "check", "rfpc0", candidate);
        assertEquals(false, Osgi.call(check, "offloadable"));
        assertEquals("rfpc0: cannot offload: device rfpc0 runs riscv32 code but no riscv32 back-end is installed (installed: nfp, x86_64); "
                + "map 0 (lpm): lpm_trie maps cannot live on device rfpc0; "
                + "rfpc0 cannot load programs: no riscv32 JIT back-end is installed (bpf.arch=riscv32); its maps and queries keep working",
                check.toString());

        Object dev = Osgi.call(Osgi.call(query, "device", "rfpc1"), "orElseThrow");
        Object map = Osgi.call(dev, "createMap", api("org.obpf.api.map.MapSpec").getConstructors()[0].newInstance("counts",
                enumValue("org.obpf.api.map.MapType", "HASH"), 4, 8, 64, 0));
        assertEquals("uninstalled obpf-jit-x86_64 (1 bundle(s) removed)", fw.features().uninstall("obpf-jit-x86_64"));
        Osgi.call(map, "update", new byte[] {1, 0, 0, 0}, new byte[] {9, 8, 7, 6, 5, 4, 3, 2}, 0L);
        assertArrayEquals(new byte[] {9, 8, 7, 6, 5, 4, 3, 2}, (byte[]) Osgi.call(map, "lookup", new byte[] {1, 0, 0, 0}));
        assertArrayEquals(new byte[] {1, 0, 0, 0}, (byte[]) Osgi.call(map, "nextKey", (Object) null));
        assertEquals(Bundle.ACTIVE, Osgi.bundle(ctx, "org.obpf.offload.rfpc").getState());
    }
}
