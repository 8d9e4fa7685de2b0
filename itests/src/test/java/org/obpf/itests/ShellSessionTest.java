package org.obpf.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.obpf.itests.LauncherProcessTest.Result;
import org.obpf.launcher.Launcher;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/**
 * A scripted shell session in the real runtime: every {@code bpf:prog}, {@code bpf:map},
 * {@code bpf:verify}, {@code bpf:trace}, {@code bpf:feature} and {@code bpf:compare} command with
 * a good input and a bad one, then the x86-64 back-end uninstalled and reinstalled under the
 * loaded program (its maps and pins stay).
 */
class ShellSessionTest {
    /** A 60-byte Ethernet/IPv4/UDP packet. */
    static final String UDP60 = "000000000000000000000000" + "0800" + "4500003200000000401100000a0000010a000002" + "00".repeat(26);

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
        gogo = new Gogo(ctx);
    }

    @AfterEach
    void stop() throws Exception {
        gogo.close();
        fw.close();
    }

    private String good(String command, Predicate<String> check) throws Exception {
        Gogo.Answer a = gogo.run(command);
        assertFalse(a.failed(), command + " failed: " + a.error());
        assertTrue(check.test(a.out()), command + " answered:\n" + a.out());
        return a.out();
    }

    private void bad(String command, String error) throws Exception {
        Gogo.Answer a = gogo.run(command);
        assertTrue(a.failed(), command + " should fail but answered:\n" + a.out());
        assertEquals(error, a.error(), command);
    }

    private static Predicate<String> line(String regex) {
        return out -> out.lines().anyMatch(l -> l.matches(regex));
    }

    @Test
    void everyCommandWithAGoodAndABadInput() throws Exception {
        Path count = Gogo.corpus(dir, "xdp_count_array");
        Path hash = Gogo.corpus(dir, "hash_counter");

        good("bpf:prog load " + count, line("1 +xdp_count_array +xdp +[0-9a-f]{16} +x86_64 +jited +336B +\\d+B +1,2 +0 +-"));
        bad("bpf:prog load " + dir.resolve("missing.o"), "prog load: no such file: " + dir.resolve("missing.o"));
        good("bpf:prog load " + hash + " engine interp", line("2 +count_sources +xdp +[0-9a-f]{16} +interp +interpreted .*"));
        bad("bpf:prog load " + hash + " engine arm64", "prog load: no JIT back-end for arch 'arm64' is installed (installed: nfp, riscv32, riscv64, x86_64); "
                + "install its feature or bundle, e.g. feature:install obpf-jit-arm64");

        good("bpf:prog list", line("2 +count_sources +xdp .*"));
        bad("bpf:prog list extra", "prog list: unexpected argument 'extra'");
        good("bpf:prog show 1 --json", out -> out.startsWith("{\"id\":1,\"name\":\"xdp_count_array\",\"type\":\"xdp\""));
        bad("bpf:prog show 9", "prog show: no program with id 9");

        good("bpf:prog dump xlated 1 stage all", out -> out.lines().filter(l -> l.startsWith("; stage ")).count() == 5);
        bad("bpf:prog dump xlated 1 stage nope", "prog dump xlated: no stage 'nope' (stages: original, replace_map_fd_with_map_ptr, "
                + "convert_ctx_accesses, fixup_bpf_call, resolve_subprogs, all)");
        good("bpf:prog dump jited 1", out -> out.startsWith("; prog 1 on x86_64, ") && out.contains("\n; insn 0\n"));
        bad("bpf:prog dump jited 2", "prog dump jited: prog 2 is not JIT-compiled (interpreted)");

        good("bpf:prog run 1 data_in " + UDP60 + " repeat 10", out -> out.startsWith("retval: 2\nduration (average): "));
        bad("bpf:prog run 1 data_in 0011", "prog run: data_in: 2 bytes, at least ETH_HLEN (14) needed");
        good("bpf:prog pin 1 /sys/fs/bpf/count", out -> out.equals("prog 1 pinned at /sys/fs/bpf/count\n"));
        bad("bpf:prog pin 1 relative", "prog pin: pin path 'relative' must be an absolute file path, e.g. /sys/fs/bpf/name");

        good("bpf:map list", line("1 +proto_packets +array +4B +8B +256 +0x0 +1 +-"));
        bad("bpf:map list x", "map list: unexpected argument 'x'");
        good("bpf:map show name src_stats", line("3 +src_stats +hash +4B +16B +1024 +0x1 +2 +-"));
        bad("bpf:map show 99", "map show: no map with id 99");
        good("bpf:map lookup name proto_packets key u32 17",
                out -> out.equals("key: 11 00 00 00  value: 0a 00 00 00 00 00 00 00  (key 17, value 10)\n"));
        bad("bpf:map lookup 1 key 01 02", "map lookup: key is 2 bytes; map 1 (proto_packets) has 4-byte keys");
        good("bpf:map update name proto_packets key u32 6 value u64 5", out -> out.equals("map 1: updated\n"));
        bad("bpf:map update 1 key u32 6 value u32 5", "map update: value is 4 bytes; map 1 (proto_packets) has 8-byte values");
        good("bpf:map create /sys/fs/bpf/h type hash key 4 value 8 entries 8 name h", line("4 +h +hash +4B +8B +8 +0x0 +- +/sys/fs/bpf/h"));
        bad("bpf:map create /sys/fs/bpf/h2 type hash key 4 value 8", "map create: missing key N, value N or entries N");
        good("bpf:map update pinned /sys/fs/bpf/h key 01000000 value 02 00 00 00 00 00 00 00", out -> out.equals("map 4: updated\n"));
        good("bpf:map delete 4 key u32 1", out -> out.equals("map 4: deleted\n"));
        bad("bpf:map delete 4 key u32 1", "map delete: map h: no element with key 01 00 00 00");
        good("bpf:map dump name proto_packets", out -> out.endsWith("Found 256 elements\n")
                && out.contains("\n06 00 00 00  05 00 00 00 00 00 00 00  6       5\n"));
        bad("bpf:map dump 99", "map dump: no map with id 99");
        good("bpf:map pin name proto_bytes /sys/fs/bpf/bytes", out -> out.equals("map 2 pinned at /sys/fs/bpf/bytes\n"));
        bad("bpf:map pin 2 /sys/fs/bpf/h", "map pin: /sys/fs/bpf/h is already pinned");

        good("bpf:verify " + count + " log_level 1", out -> out.startsWith("prog xdp_count_array: ACCEPT (processed 32 insns"));
        Path rejected = Files.writeString(dir.resolve("bad.s"), "exit\n");
        bad("bpf:verify " + rejected + " type xdp", "verify: prog bad rejected: insn 0: R0 !read_ok");

        Path hi = Files.writeString(dir.resolve("hi.s"), "stw [%r10-8], 0x6968\nmov %r1, %r10\nadd %r1, -8\nmov %r2, 3\ncall 6\nmov %r0, 0\nexit\n");
        good("bpf:prog load " + hi + " type xdp", line("3 +hi +xdp .*"));
        good("bpf:trace --consume", out -> true); // whatever earlier runs printed
        good("bpf:prog run name hi data_in " + UDP60, out -> out.startsWith("retval: 0\n"));
        good("bpf:trace", out -> out.equals("hi\n"));
        bad("bpf:trace --nope", "trace: unknown option --nope");

        good("bpf:feature probe", line("xdp +yes +yes").and(line("hash +yes *")).and(line("x86_64 +\\d+ +map_lookup_elem .*")));
        bad("bpf:feature frob", "feature: unknown subcommand 'frob' (probe)");

        good("bpf:compare 1 data_in " + UDP60 + " repeat 100", line("interp +2 +yes +\\d+ +- *").and(line("x86_64 +2 +yes +\\d+ +\\d+B *")));
        bad("bpf:compare 1 engine x86_64", "compare: compare runs every engine; 'engine' is for prog run");

        good("bpf:prog unload 2", out -> out.equals("prog 2 unloaded\n"));
        bad("bpf:prog unload 1", "prog unload: prog 1 is pinned at /sys/fs/bpf/count; unpin it first");

        // The back-end leaves: the program moves to the interpreter; maps and pins stay. It comes back: compiled again.
        Bundle jit = Osgi.bundle(ctx, "org.obpf.jit.x86_64");
        String location = jit.getLocation();
        jit.uninstall();
        good("bpf:prog show 1", out -> out.contains("\tengine interp (interpreted: back-end x86_64 departed), requested auto\n")
                && out.contains("\tpinned /sys/fs/bpf/count\n"));
        good("bpf:prog run pinned /sys/fs/bpf/count data_in " + UDP60, out -> out.startsWith("retval: 2\n"));
        good("bpf:map lookup pinned /sys/fs/bpf/bytes key u32 17", out -> out.contains("(key 17, value 12660)"));
        bad("bpf:prog dump jited 1", "prog dump jited: prog 1 is not JIT-compiled (interpreted: back-end x86_64 departed)");
        ctx.installBundle(location).start();
        good("bpf:prog show 1", out -> out.contains("\tengine x86_64 (jited), requested auto\n") && out.contains("compiles 2"));
        good("bpf:map lookup name proto_packets key u32 17", out -> out.contains("(key 17, value 211)"));
    }

    @Test
    void aBadInputFailsTheLauncherWithOneLine(@TempDir Path cwd) throws Exception {
        Result r = LauncherProcessTest.obpf(cwd, "-c", "bpf:prog list; bpf:map lookup 7 key u32 1");
        assertEquals(1, r.exit());
        assertEquals("no programs are loaded", r.out().strip());
        assertEquals("obpf: map lookup: no map with id 7", r.err().strip());
    }
}
