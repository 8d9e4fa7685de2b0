package org.obpf.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.io.TempDir;
import org.obpf.core.registry.Registry;
import org.obpf.jit.x86_64.X86Disassembler;
import org.obpf.jit.x86_64.X86_64JitBackend;
import org.obpf.loader.ElfObjectLoader;

/** The prog/map/verify/trace/feature/compare commands on core's registry with the x86-64 back-end, no framework. */
@EnabledOnOs(architectures = {"amd64", "x86_64"})
class RegistryCommandsTest {
    @TempDir
    Path dir;
    Registry registry;
    RegistryCommands cmds;
    Path countArray;

    /** 60-byte Ethernet/IPv4/UDP packet, as hex. */
    static final String UDP60 = "000000000000" + "000000000000" + "0800" + "45000032000000004011" + "0000".repeat(1) + "0a0000010a000002"
            + "00".repeat(60 - 34);

    @BeforeEach
    void setUp() throws Exception {
        registry = new Registry();
        registry.bindLoader(new ElfObjectLoader());
        registry.addBackend(new X86_64JitBackend(), "x86_64", 1, 0);
        cmds = new RegistryCommands();
        cmds.system = registry;
        cmds.addDisassembler(new X86Disassembler());
        countArray = corpus("xdp_count_array");
    }

    Path corpus(String name) throws Exception {
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("corpus/" + name + ".o")) {
            Path p = dir.resolve(name + ".o");
            Files.write(p, in.readAllBytes());
            return p;
        }
    }

    static String[] w(String line) {
        return line.isBlank() ? new String[0] : line.trim().split("\\s+");
    }

    String prog(String line) {
        String out = cmds.prog(null, w(line));
        System.out.println("g! bpf:prog " + line + "\n" + out);
        return out;
    }

    String map(String line) {
        String out = cmds.map(w(line));
        if (line.startsWith("dump")) return out;
        System.out.println("g! bpf:map " + line + "\n" + out);
        return out;
    }

    String refused(Runnable r) {
        ShellException e = assertThrows(ShellException.class, r::run);
        System.out.println("refused: " + e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e.getMessage();
    }

    @Test
    void progCommands() {
        String load = prog("load " + countArray);
        assertTrue(load.lines().skip(1).findFirst().orElseThrow().matches("1 +xdp_count_array +xdp +[0-9a-f]{16} +x86_64 +jited .*"), load);
        assertTrue(prog("list --json").startsWith("[{\"id\":1,\"name\":\"xdp_count_array\",\"type\":\"xdp\""));
        String show = prog("show name xdp_count_array");
        assertTrue(show.startsWith("1: xdp  name xdp_count_array  tag "), show);
        assertTrue(show.contains("\tengine x86_64 (jited), requested auto\n"), show);
        String run = prog("run 1 data_in " + UDP60 + " repeat 3");
        assertTrue(run.startsWith("retval: 2\nduration (average): "), run);
        assertTrue(run.contains("data_out: 00 00 00 00 00 00"), run);
        String xlated = prog("dump xlated id 1");
        assertTrue(xlated.contains("exit"), xlated);
        String all = prog("dump xlated 1 stage all");
        assertEquals(5, all.lines().filter(l -> l.startsWith("; stage ")).count(), all);
        String jited = prog("dump jited 1");
        assertTrue(jited.startsWith("; prog 1 on x86_64, "), jited);
        assertTrue(jited.contains("; insn 0\n"), jited);
        assertEquals("prog 1 pinned at /sys/fs/bpf/count\n", prog("pin 1 /sys/fs/bpf/count"));
        assertTrue(prog("show pinned /sys/fs/bpf/count").contains("\tpinned /sys/fs/bpf/count\n"));
        assertEquals("prog unload: prog 1 is pinned at /sys/fs/bpf/count; unpin it first", refused(() -> prog("unload 1")));
        assertEquals("/sys/fs/bpf/count unpinned\n", prog("unpin /sys/fs/bpf/count"));
        assertEquals("prog 1 unloaded\n", prog("unload 1"));
        assertEquals("no programs are loaded\n", prog("list"));

        assertEquals("prog show: no program with id 7", refused(() -> prog("show 7")));
        assertEquals("prog load: no such file: " + dir.resolve("missing.o"), refused(() -> prog("load " + dir.resolve("missing.o"))));
        assertEquals("prog run: missing PROG (ID, id ID, pinned PATH or name NAME)", refused(() -> prog("run")));
        assertEquals("prog: unknown subcommand 'frob' (load, list, show, dump, run, unload, pin, unpin)", refused(() -> prog("frob")));
        assertEquals("prog load: unknown program type 'nope' (e.g. xdp, socket_filter, sched_cls, tracepoint, flat)",
                refused(() -> prog("load " + countArray + " type nope")));
        assertEquals("prog run: data_in: 'zz' is neither hex bytes (an even number of digits) nor a file", refused(() -> prog("run 1 data_in zz")));
        assertEquals("prog load: no offload device 'rfpc0' (devices: none)", refused(() -> prog("load " + countArray + " dev rfpc0")));
        assertEquals("prog load: flow 'static': the registry offloads by the dynamic flow (the device's loader relocates)",
                refused(() -> prog("load " + countArray + " dev rfpc0 flow static")));
        assertEquals("prog load: missing DEVICE", refused(() -> prog("load " + countArray + " dev")));
    }

    @Test
    void mapCommands() {
        prog("load " + countArray + " engine interp");
        prog("run 1 data_in " + UDP60);
        String list = map("list");
        assertTrue(list.lines().anyMatch(l -> l.matches("\\d+ +proto_packets +array +4B +8B +256 +0x0 +1 +-")), list);
        int pp = Integer.parseInt(list.lines().filter(l -> l.contains("proto_packets")).findFirst().orElseThrow().split(" +")[0]);
        int pb = Integer.parseInt(list.lines().filter(l -> l.contains("proto_bytes")).findFirst().orElseThrow().split(" +")[0]);
        String lookup = map("lookup name proto_packets key u32 17");
        assertEquals("key: 11 00 00 00  value: 01 00 00 00 00 00 00 00  (key 17, value 1)\n", lookup);
        assertEquals("map " + pp + ": updated\n", map("update " + pp + " key 11 00 00 00 value u64 41"));
        assertEquals("key: 11 00 00 00  value: 29 00 00 00 00 00 00 00  (key 17, value 41)\n", map("lookup " + pp + " key 11000000"));
        String dump = map("dump id " + pb);
        assertTrue(dump.endsWith("Found 256 elements\n"), dump.substring(Math.max(0, dump.length() - 100)));
        assertTrue(dump.contains("\n11 00 00 00  3c 00 00 00 00 00 00 00  17      60\n"), dump.substring(0, 600));
        assertEquals("map " + pp + " pinned at /sys/fs/bpf/pp\n", map("pin " + pp + " /sys/fs/bpf/pp"));
        prog("unload 1");
        assertTrue(map("list").lines().count() == 2, "only the pinned map remains");
        String created = map("create /sys/fs/bpf/h type hash key 4 value 8 entries 16 name counts");
        assertTrue(created.contains("counts"), created);
        int id = Integer.parseInt(created.lines().skip(1).findFirst().orElseThrow().split(" +")[0]);
        map("update pinned /sys/fs/bpf/h key u32 5 value u64 7 noexist");
        assertTrue(map("dump " + id + " --json").equals("[{\"key\":\"05000000\",\"value\":\"0700000000000000\",\"key_u\":\"5\",\"value_u\":\"7\"}]"));
        assertEquals("map " + id + ": deleted\n", map("delete " + id + " key u32 5"));
        assertEquals("map lookup: key is 3 bytes; map " + id + " (counts) has 4-byte keys", refused(() -> map("lookup " + id + " key 01 02 03")));
        assertTrue(refused(() -> map("lookup " + id + " key u32 5")).startsWith("map lookup: "));
        assertEquals("map update: value is 4 bytes; map " + id + " (counts) has 8-byte values",
                refused(() -> map("update " + id + " key u32 5 value u32 1")));
        assertEquals("map show: no map with id 99", refused(() -> map("show 99")));
        assertEquals("map lookup: key: 300 does not fit u8", refused(() -> map("lookup " + id + " key u8 300")));
        assertEquals("map create: unknown map type 'hashy' (e.g. hash, array, lru_hash, percpu_array, queue, ringbuf)",
                refused(() -> map("create /sys/fs/bpf/x type hashy key 4 value 4 entries 1")));
    }

    @Test
    void verifyTraceFeatureCompare() throws Exception {
        String v = cmds.verify(null, w(countArray + " log_level 1"));
        System.out.println(v);
        assertTrue(v.startsWith("prog xdp_count_array: ACCEPT (processed "), v);
        Path bad = Files.writeString(dir.resolve("bad.s"), "exit\n");
        assertEquals("verify: prog bad rejected: insn 0: R0 !read_ok", refused(() -> cmds.verify(null, w(bad + " type xdp"))));
        assertEquals("verify: bad.s is raw bytecode: say its program type (type xdp, socket_filter, flat, ...)",
                refused(() -> cmds.verify(null, w(bad.toString()))));

        registry.trace(true);
        Path hi = Files.writeString(dir.resolve("hi.s"), """
                stw [%r10-8], 0x6968
                mov %r1, %r10
                add %r1, -8
                mov %r2, 3
                call 6
                mov %r0, 0
                exit
                """);
        prog("load " + hi + " type xdp");
        prog("run name hi data_in " + UDP60);
        String trace = cmds.trace(w(""));
        System.out.println(trace);
        assertTrue(trace.strip().endsWith("hi"), trace);
        assertEquals(trace, cmds.trace(w("--consume")));
        assertEquals("the trace buffer is empty\n", cmds.trace(w("")));
        assertEquals("trace: unknown option --frob", refused(() -> cmds.trace(w("--frob"))));

        String f = cmds.feature(w("probe"));
        System.out.println(f);
        assertTrue(f.lines().anyMatch(l -> l.matches("xdp +yes +yes")), f);
        assertTrue(f.lines().anyMatch(l -> l.matches("hash +yes")), f);
        assertTrue(f.lines().anyMatch(l -> l.startsWith("x86_64 ")), f);
        assertEquals("feature: no engine 'mips' (engines: interp, x86_64)", refused(() -> cmds.feature(w("probe mips"))));

        prog("load " + countArray);
        String c = cmds.compare(null, w("name xdp_count_array data_in " + UDP60 + " repeat 100"));
        System.out.println(c);
        assertTrue(c.lines().anyMatch(l -> l.matches("interp +2 +yes +\\d+ +- *")), c);
        assertTrue(c.lines().anyMatch(l -> l.matches("x86_64 +2 +yes +\\d+ +\\d+B *")), c);
        assertEquals("compare: no program with id 42", refused(() -> cmds.compare(null, w("42"))));
    }
}
