package org.obpf.core.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.obpf.api.insn.Opcodes.*;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.obpf.api.map.BpfMap;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.obpf.api.BpfException;
import org.obpf.api.Errno;
import org.obpf.api.insn.Insn;
import org.obpf.api.map.MapSpec;
import org.obpf.api.map.MapType;
import org.obpf.api.obj.BpfObject;
import org.obpf.api.prog.ProgramType;
import org.obpf.api.prog.TestRun;
import org.obpf.api.registry.BpfSystem;
import org.obpf.api.registry.FeatureProbe;
import org.obpf.api.registry.LoadOptions;
import org.obpf.api.registry.MapInfo;
import org.obpf.api.registry.ProgramInfo;
import org.obpf.api.registry.ProgramStage;
import org.obpf.api.registry.VerifyReport;
import org.obpf.loader.ElfObjectLoader;

/** The registry without a framework and without back-ends: corpus objects on the interpreter, maps, pins and refusals. */
class RegistryTest {

    static BpfObject corpus(String name) throws Exception {
        try (InputStream in = RegistryTest.class.getClassLoader().getResourceAsStream("corpus/" + name + ".o")) {
            if (in == null) throw new IllegalStateException("corpus/" + name + ".o is not on the class path");
            return new ElfObjectLoader().load(name + ".o", in.readAllBytes());
        }
    }

    static List<String> index() throws IOException {
        try (InputStream in = RegistryTest.class.getClassLoader().getResourceAsStream("corpus/index.txt")) {
            return new String(in.readAllBytes()).lines().map(String::strip).filter(s -> !s.isEmpty() && !s.startsWith("#")).toList();
        }
    }

    /** An Ethernet + IPv4 packet of {@code len} bytes with protocol {@code proto}. */
    static byte[] ipv4(int len, int proto) {
        byte[] p = new byte[len];
        p[12] = 0x08;
        p[14] = 0x45;
        p[16] = (byte) ((len - 14) >> 8);
        p[17] = (byte) (len - 14);
        p[22] = 64;
        p[23] = (byte) proto;
        return p;
    }

    static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    static long u64(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    static int mapId(BpfSystem s, String name) {
        return s.maps().stream().filter(m -> m.spec().name().equals(name)).findFirst().orElseThrow().id();
    }

    @Test
    void everyCorpusObjectLoads() throws Exception {
        List<String> loaded = new ArrayList<>();
        for (String name : index()) {
            Registry r = new Registry();
            for (ProgramInfo p : r.load(corpus(name), LoadOptions.DEFAULT)) {
                assertEquals(BpfSystem.INTERPRETER, p.engine(), p.name());
                loaded.add(name + "/" + p.name());
            }
        }
        assertEquals(38, loaded.size(), loaded.toString());
    }

    @Test
    void mapInMapFindsItsInnerMapBySlot() throws Exception {
        Registry r = new Registry();
        List<ProgramInfo> progs = r.load(corpus("map_in_map"), LoadOptions.DEFAULT);
        assertEquals("inner_count", progs.get(0).name());
        int id = progs.get(0).id();
        assertEquals(2, r.testRun(id, TestRun.Request.of(ipv4(60, 17))).retval()); // slot 0: inner_a
        assertEquals(1, r.testRun(id, TestRun.Request.of(ipv4(61, 17))).retval()); // slot 1: empty
        assertEquals(2, r.testRun(id, TestRun.Request.of(ipv4(60, 17))).retval());
        BpfMap outer = r.map(mapId(r, "outer"));
        int innerId = java.nio.ByteBuffer.wrap(outer.lookup(u32(0))).order(ByteOrder.LITTLE_ENDIAN).getInt();
        BpfException empty = assertThrows(BpfException.class, () -> outer.lookup(u32(1)));
        assertEquals(Errno.ENOENT, empty.errno());
        // inner_a is used by no program directly: the outer map's slot keeps it alive
        var inner = org.obpf.core.map.AbstractBpfMap.byAddress(((org.obpf.core.map.MapOfMaps) outer).get(u32(0)).address());
        assertEquals(innerId, inner.id());
        assertEquals("inner_a", inner.spec().name());
        assertEquals(2, u64(inner.lookup(u32(0))));
    }

    @Test
    void countsPacketsAndKeepsPinnedMapsAfterUnload() throws Exception {
        Registry r = new Registry();
        List<ProgramInfo> progs = r.load(corpus("xdp_count_array"), LoadOptions.DEFAULT);
        assertEquals(1, progs.size());
        ProgramInfo p = progs.get(0);
        assertEquals("xdp_count_array", p.name());
        assertEquals(ProgramType.XDP, p.type());
        assertEquals("interpreted: no x86_64 back-end installed", p.state());
        assertEquals(16, p.tag().length());
        for (int i = 0; i < 3; i++) assertEquals(2, r.testRun(p.id(), TestRun.Request.of(ipv4(60, 17))).retval());
        int packets = mapId(r, "proto_packets"), bytes = mapId(r, "proto_bytes");
        assertEquals(3, u64(r.map(packets).lookup(u32(17))));
        assertEquals(180, u64(r.map(bytes).lookup(u32(17))));
        assertEquals(0, u64(r.map(packets).lookup(u32(6))));
        assertEquals(3, r.program(p.id()).runs());
        assertEquals(List.of(p.id()), r.mapInfo(packets).programIds());

        r.pinMap(packets, "/sys/fs/bpf/packets");
        r.pinProgram(p.id(), "/sys/fs/bpf/count");
        BpfException busy = assertThrows(BpfException.class, () -> r.unload(p.id()));
        assertEquals(Errno.EBUSY, busy.errno());
        assertEquals("prog " + p.id() + " is pinned at /sys/fs/bpf/count; unpin it first", busy.getMessage());
        r.unpin("/sys/fs/bpf/count");
        r.unload(p.id());
        assertEquals(List.of(), r.programs());
        List<MapInfo> left = r.maps();
        assertEquals(1, left.size(), "only the pinned map survives its program");
        assertEquals(packets, left.get(0).id());
        assertEquals(List.of("/sys/fs/bpf/packets"), left.get(0).pinned());
        assertEquals(3, u64(r.map(packets).lookup(u32(17))), "its contents too");
        assertEquals("map", r.pinned("/sys/fs/bpf/packets").kind());
        r.unpin("/sys/fs/bpf/packets");
        assertEquals(List.of(), r.maps());
    }

    @Test
    void unloadWhileRunsAreInsideKeepsTheMapsUntilTheyLeave() throws Exception {
        Registry r = new Registry();
        int id = r.load(corpus("xdp_count_array"), LoadOptions.DEFAULT).get(0).id();
        java.util.concurrent.ConcurrentLinkedQueue<String> errors = new java.util.concurrent.ConcurrentLinkedQueue<>();
        java.util.concurrent.atomic.AtomicLong runs = new java.util.concurrent.atomic.AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread th = new Thread(() -> {
                for (;;) {
                    try {
                        if (r.testRun(id, new TestRun.Request(ipv4(60, 17), 64, null, 0, 50)).retval() != 2) errors.add("retval");
                        runs.incrementAndGet();
                    } catch (BpfException e) {
                        if (!e.getMessage().equals("no program with id " + id) && !e.getMessage().equals("prog " + id + " is unloaded")) {
                            errors.add(e.toString());
                        }
                        return;
                    }
                }
            });
            th.start();
            threads.add(th);
        }
        while (runs.get() < 20) Thread.sleep(1);
        r.unload(id);
        for (Thread th : threads) th.join();
        assertEquals(List.of(), new ArrayList<>(errors));
        assertEquals(List.of(), r.maps());
    }

    @Test
    void refusalsNameTheProblem() throws Exception {
        Registry r = new Registry();
        assertRefused(Errno.ENOENT, "no program with id 99", () -> r.program(99));
        assertRefused(Errno.ENOENT, "no map with id 99", () -> r.map(99));
        assertRefused(Errno.ENOENT, "nothing is pinned at /sys/fs/bpf/x", () -> r.unpin("/sys/fs/bpf/x"));
        assertRefused(Errno.ENOENT, "xdp_count_array has no program 'nope' (programs: xdp_count_array)",
                () -> r.load(corpus("xdp_count_array"), LoadOptions.DEFAULT.withProgram("nope")));
        assertRefused(Errno.ENODEV, "no JIT back-end for arch 'riscv64' is installed (none is installed); install its feature or bundle, "
                + "e.g. feature:install obpf-jit-riscv64", () -> r.load(corpus("xdp_count_array"), LoadOptions.DEFAULT.withEngine("riscv64")));
        MapInfo m = r.createMap(new MapSpec("counts", MapType.HASH, 4, 8, 16, 0), "/sys/fs/bpf/counts");
        assertRefused(Errno.EEXIST, "/sys/fs/bpf/counts is already pinned",
                () -> r.createMap(new MapSpec("other", MapType.ARRAY, 4, 8, 16, 0), "/sys/fs/bpf/counts"));
        assertRefused(Errno.EINVAL, "pin path 'counts' must be an absolute file path, e.g. /sys/fs/bpf/name", () -> r.pinMap(m.id(), "counts"));
        long[] noR0 = {Insn.encode(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)};
        assertRefused(Errno.EACCES, "prog bad rejected by the verifier: insn 0: R0 !read_ok",
                () -> r.loadRaw("bad", ProgramType.XDP, noR0, List.of(), LoadOptions.DEFAULT));
        assertEquals(List.of(), r.programs());
    }

    interface Call {
        void run() throws Exception;
    }

    static void assertRefused(Errno errno, String message, Call call) {
        BpfException e = assertThrows(BpfException.class, call::run);
        assertEquals(message, e.getMessage());
        assertEquals(errno, e.errno(), message);
    }

    @Test
    void rawProgramWithAMapTracesAndShowsItsStages() throws Exception {
        Registry r = new Registry();
        MapInfo m = r.createMap(new MapSpec("arr", MapType.ARRAY, 4, 8, 4, 0), "/sys/fs/bpf/arr");
        // *(u32 *)(fp - 8) = "hi"; trace_printk(fp - 8, 3); r1 = map#0; r0 = 7; exit
        long[] prog = {
                Insn.encode(BPF_ST | BPF_MEM | BPF_W, 10, 0, -8, 0x6968),
                Insn.encode(BPF_ALU64 | BPF_MOV | BPF_X, 1, 10, 0, 0),
                Insn.encode(BPF_ALU64 | BPF_ADD | BPF_K, 1, 0, 0, -8),
                Insn.encode(BPF_ALU64 | BPF_MOV | BPF_K, 2, 0, 0, 3),
                Insn.encode(BPF_JMP | BPF_CALL, 0, 0, 0, 6),
                Insn.encode(BPF_LD | BPF_DW | BPF_IMM, 1, BPF_PSEUDO_MAP_FD, 0, 0), 0,
                Insn.encode(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 7),
                Insn.encode(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)};
        VerifyReport v = r.verifyRaw("hi", ProgramType.XDP, prog, List.of(m.id()), 1);
        assertTrue(v.accepted(), v.error());
        ProgramInfo p = r.loadRaw("hi", ProgramType.XDP, prog, List.of(m.id()), LoadOptions.DEFAULT);
        assertEquals(List.of(m.id()), p.mapIds());
        r.trace(true);
        assertEquals(7, r.testRun(p.id(), BpfSystem.INTERPRETER, TestRun.Request.of(new byte[64])).retval());
        List<String> trace = r.trace(true);
        assertEquals(1, trace.size(), trace.toString());
        assertTrue(trace.get(0).endsWith("hi"), trace.get(0));
        assertEquals(List.of(), r.trace(false), "consumed");
        List<ProgramStage> stages = r.xlated(p.id());
        assertEquals(List.of("original", "replace_map_fd_with_map_ptr", "convert_ctx_accesses", "fixup_bpf_call", "resolve_subprogs"),
                stages.stream().map(ProgramStage::name).toList());
        long lddw = stages.get(1).insns()[5];
        assertEquals(0, Insn.src(lddw), "the map fd became the map's address");
        assertEquals(r.map(m.id()).address() & 0xffffffffL, Insn.imm(lddw) & 0xffffffffL);
        assertRefused(Errno.EINVAL, "prog " + p.id() + " is not JIT-compiled (interpreted: no x86_64 back-end installed)", () -> r.jited(p.id()));
        assertEquals(List.of(BpfSystem.INTERPRETER), r.engines());
        r.unpin("/sys/fs/bpf/arr");
        assertEquals(List.of(m.id()), r.maps().stream().map(MapInfo::id).toList(), "the program still holds the map");
        r.unload(p.id());
        assertEquals(List.of(), r.maps());
    }

    @Test
    void probeLoadsTrivialProgramsAndCreatesSmallMaps() {
        FeatureProbe f = new Registry().probe();
        var xdp = f.programTypes().stream().filter(t -> t.type() == ProgramType.XDP).findFirst().orElseThrow();
        assertTrue(xdp.loads() && xdp.testRun());
        var kprobe = f.programTypes().stream().filter(t -> t.type() == ProgramType.KPROBE).findFirst().orElseThrow();
        assertTrue(kprobe.loads());
        assertFalse(kprobe.testRun());
        var hash = f.mapTypes().stream().filter(t -> t.type() == MapType.HASH).findFirst().orElseThrow();
        assertTrue(hash.creates());
        var aom = f.mapTypes().stream().filter(t -> t.type() == MapType.ARRAY_OF_MAPS).findFirst().orElseThrow();
        assertTrue(aom.creates(), aom.reason());
        var cpumap = f.mapTypes().stream().filter(t -> t.type() == MapType.CPUMAP).findFirst().orElseThrow();
        assertFalse(cpumap.creates());
        assertEquals("map probe: map type cpumap (16) is not supported", cpumap.reason());
        assertEquals("map_lookup_elem", f.helpers().get(BpfSystem.INTERPRETER).get(1));
        assertEquals("trace_printk", f.helpers().get(BpfSystem.INTERPRETER).get(6));
    }
}
