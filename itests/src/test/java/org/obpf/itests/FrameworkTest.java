package org.obpf.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.obpf.launcher.Launcher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/** The distribution as users get it: every bundle resolves and starts, every DS component is satisfied. */
class FrameworkTest {
    private Launcher.Running fw;
    private BundleContext ctx;

    @BeforeEach
    void start() throws Exception {
        fw = Osgi.start("all");
        ctx = fw.framework().getBundleContext();
    }

    @AfterEach
    void stop() throws InterruptedException {
        fw.close();
    }

    @Test
    void everyBundleIsActive() {
        List<String> notActive = new ArrayList<>();
        Set<String> obpf = new TreeSet<>();
        for (Bundle b : ctx.getBundles()) {
            if (b.getState() != Bundle.ACTIVE) notActive.add(b.getSymbolicName() + " state " + b.getState());
            if (b.getSymbolicName().startsWith("org.obpf.")) obpf.add(b.getSymbolicName());
        }
        assertEquals(List.of(), notActive);
        assertEquals(Set.of("org.obpf.api", "org.obpf.core", "org.obpf.loader", "org.obpf.shell", "org.obpf.jit.x86_64",
                "org.obpf.jit.riscv", "org.obpf.offload.rfpc", "org.obpf.jit.nfp", "org.obpf.offload.nfp"), obpf);
    }

    @Test
    void everyObpfComponentIsSatisfied() throws Throwable {
        Object scr = Osgi.service(ctx, "org.osgi.service.component.runtime.ServiceComponentRuntime");
        assertNotNull(scr, "SCR is not running");
        Set<String> seen = new TreeSet<>();
        List<String> unsatisfied = new ArrayList<>();
        for (Object desc : Osgi.array(Osgi.call(scr, "getComponentDescriptionDTOs", (Object) new Bundle[0]))) {
            String name = (String) Osgi.field(desc, "name");
            if (!name.startsWith("org.obpf.")) continue;
            seen.add(name);
            Object[] configs = Osgi.array(Osgi.call(scr, "getComponentConfigurationDTOs", desc));
            if (configs.length == 0) unsatisfied.add(name + ": no configuration");
            for (Object c : configs) {
                int state = (Integer) Osgi.field(c, "state");
                // 4 SATISFIED, 8 ACTIVE (ComponentConfigurationDTO)
                if (state != 4 && state != 8) unsatisfied.add(name + ": state " + state);
            }
        }
        assertEquals(Set.of("org.obpf.core.jit.JitDispatcher", "org.obpf.core.offload.OffloadRegistry", "org.obpf.core.helper.HelperRegistry",
                "org.obpf.core.registry.Registry", "org.obpf.shell.BpfCommands", "org.obpf.shell.RegistryCommands",
                "org.obpf.jit.x86_64.X86_64JitBackend", "org.obpf.jit.x86_64.X86Disassembler", "org.obpf.jit.x86_64.ElfObjectWriter",
                "org.obpf.jit.nfp.NfpJitBackend", "org.obpf.jit.nfp.NfpDisassembler",
                "org.obpf.jit.riscv.Rv64JitBackend", "org.obpf.jit.riscv.Rv64Disassembler", "org.obpf.jit.riscv.Rv64ObjectWriter",
                "org.obpf.jit.riscv.Rv32JitBackend", "org.obpf.jit.riscv.Rv32Disassembler", "org.obpf.jit.riscv.Rv32ObjectWriter",
                "org.obpf.loader.ElfObjectLoader",
                "org.obpf.offload.rfpc.ds.Rfpc0", "org.obpf.offload.rfpc.ds.Rfpc1", "org.obpf.offload.nfp.ds.Nfp0"), seen);
        assertEquals(List.of(), unsatisfied);
    }

    @Test
    void featuresInstallAndUninstallWhileTheFrameworkRuns() throws Throwable {
        assertNotNull(Osgi.service(ctx, "org.obpf.api.jit.JitRegistry"));
        assertEquals("uninstalled obpf-core (1 bundle(s) removed)", fw.features().uninstall("obpf-core"));
        assertNull(Osgi.bundle(ctx, "org.obpf.core"));
        assertNotNull(Osgi.bundle(ctx, "org.obpf.api"), "the shell feature still needs the api bundle");
        assertNull(ctx.getServiceReference("org.obpf.api.jit.JitRegistry"));
        assertEquals(Bundle.ACTIVE, fw.framework().getState());
        assertTrue(fw.features().list().lines().anyMatch(l -> l.matches("obpf-core +\\S+ +- .*")), fw.features().list());

        assertEquals("installed obpf-core (1 bundle(s) started)", fw.features().install("obpf-core"));
        assertNotNull(Osgi.service(ctx, "org.obpf.api.jit.JitRegistry"));
        assertEquals(Bundle.ACTIVE, Osgi.bundle(ctx, "org.obpf.core").getState());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> fw.features().install("nope"));
        assertEquals("unknown feature 'nope' (features: all, framework, obpf-core, obpf-jit-nfp, obpf-jit-riscv, obpf-jit-x86_64, obpf-loader, obpf-offload-nfp, obpf-offload-rfpc, obpf-shell)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> fw.features().uninstall("framework"));
        assertTrue(e.getMessage().contains("carries the shell itself"), e.getMessage());
    }
}
