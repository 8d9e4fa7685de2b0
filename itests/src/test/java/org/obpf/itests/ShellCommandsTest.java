package org.obpf.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.obpf.itests.LauncherProcessTest.Result;

/** Scripted shell sessions per {@code bpf:} command, a good input and a bad one each, in the real runtime. */
class ShellCommandsTest {

    @Test
    void backendListFollowsHotInstalls(@TempDir Path cwd) throws Exception {
        Result r = LauncherProcessTest.obpf(cwd, "-c", "bpf:backend list; felix:start " + Osgi.EXAMPLE_BUNDLE.toUri()
                + "; sleep 1; bpf:backend list; bpf:backend show bpf --json");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().lines().filter(l -> l.startsWith("bpf ")).count() == 1, "bpf listed once, after it arrived:\n" + r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("x86_64 +org\\.obpf\\.jit\\.x86_64 +.* +no +any +kfunc_call,ld_abs_ind")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("nfp +org\\.obpf\\.jit\\.nfp +.* +no +7 ids +atomic_fetch,bpf_to_bpf_call,bswap,cmpxchg,gotol,"
                + "kfunc_call,ldsx,movsx,sdiv,tail_call")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("riscv64 +org\\.obpf\\.jit\\.riscv +.* +yes +any +kfunc_call,ld_abs_ind")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("riscv32 +org\\.obpf\\.jit\\.riscv +.* +yes +any +atomic64,kfunc_call,ld_abs_ind")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("bpf +org\\.obpf\\.jit\\.bpf +0\\.1\\.0\\.SNAPSHOT +\\d+ +0 +no +any +-")), r.out());
        assertTrue(r.out().contains("{\"arch\":\"bpf\",\"bundle\":\"org.obpf.jit.bpf\""), r.out());
    }

    @Test
    void backendShowOfAMissingArchIsOneLine(@TempDir Path cwd) throws Exception {
        Result r = LauncherProcessTest.obpf(cwd, "-c", "bpf:backend show arm64");
        assertEquals(1, r.exit());
        assertEquals("obpf: backend show: no JIT back-end for arch 'arm64' is installed (installed: nfp, riscv32, riscv64, x86_64); "
                + "install its feature or bundle, e.g. feature:install obpf-jit-arm64", r.err().strip());
    }

    @Test
    void offloadWithoutDevices(@TempDir Path cwd) throws Exception {
        String noDevices = "framework,obpf-core,obpf-loader,obpf-shell,obpf-jit-x86_64";
        Result r = LauncherProcessTest.obpf(cwd, "--features", noDevices, "-c", "bpf:offload list");
        assertEquals(0, r.exit(), r.err());
        assertEquals("no offload device is registered", r.out().strip());
        Files.writeString(cwd.resolve("p.s"), "mov %r0, 1\nexit\n");
        r = LauncherProcessTest.obpf(cwd, "--features", noDevices, "-c", "bpf:offload query nic0 " + cwd.resolve("p.s"));
        assertEquals(0, r.exit(), r.err());
        assertEquals("nic0: cannot offload p.s:\n  no offload device 'nic0' (devices: none)", r.out().strip());
    }

    @Test
    void asmAndDisasm(@TempDir Path cwd) throws Exception {
        Path src = Files.writeString(cwd.resolve("p.s"), "mov32 %r0, 7\nexit\n");
        Path bin = cwd.resolve("p.bin");
        Result r = LauncherProcessTest.obpf(cwd, "-c", "bpf:asm " + src + " -o " + bin + "; bpf:disasm " + bin);
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("2 instructions written to " + bin), r.out());
        assertTrue(r.out().contains("       0:\tw0 = 7\n       1:\texit"), r.out());
        r = LauncherProcessTest.obpf(cwd, "-c", "bpf:disasm " + cwd.resolve("missing.bin"));
        assertEquals(1, r.exit());
        assertEquals("obpf: no such file: " + cwd.resolve("missing.bin"), r.err().strip());
    }

    @Test
    void commandsSayWhenCoreIsGone(@TempDir Path cwd) throws Exception {
        Result r = LauncherProcessTest.obpf(cwd, "-c", "feature:uninstall obpf-core; bpf:backend list");
        assertEquals(1, r.exit());
        assertEquals("obpf: backend: the OBPF core is not running (feature:install obpf-core)", r.err().strip());
    }
}
