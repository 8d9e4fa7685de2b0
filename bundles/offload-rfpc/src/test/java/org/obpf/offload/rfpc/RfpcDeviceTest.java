package org.obpf.offload.rfpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.obpf.api.insn.Opcodes.*;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.obpf.api.BpfException;
import org.obpf.api.Errno;
import org.obpf.api.insn.Insn;
import org.obpf.api.jit.Capabilities;
import org.obpf.api.jit.CompileRequest;
import org.obpf.api.jit.JitBackend;
import org.obpf.api.jit.LinkException;
import org.obpf.api.jit.LinkedImage;
import org.obpf.api.jit.Refusal;
import org.obpf.api.jit.RelocatableImage;
import org.obpf.api.jit.Symbol;
import org.obpf.api.jit.SymbolTable;
import org.obpf.api.map.MapSpec;
import org.obpf.api.map.MapType;
import org.obpf.api.offload.DeviceMap;
import org.obpf.api.offload.DeviceProgram;
import org.obpf.api.offload.MemoryRegion;
import org.obpf.api.offload.OffloadCandidate;
import org.obpf.api.offload.OffloadCheck;
import org.obpf.api.offload.OffloadException;
import org.obpf.api.prog.ProgramType;
import org.obpf.offload.rfpc.testing.RvImages;

/** What the device tells the query and the host, with and without a riscv32 back-end. */
class RfpcDeviceTest {
    @TempDir
    Path dir;

    static final long EXIT = Insn.encode(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
    static final long MOV0 = Insn.encode(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 2);

    @Test
    void infoDescribesTheDevice() {
        RfpcDevice d = new RfpcDevice(RfpcConfig.large("big"));
        assertEquals("big", d.info().name());
        assertEquals("riscv32", d.info().arch());
        assertEquals(List.of(new MemoryRegion("firmware", MemoryRegion.Kind.MMIO, 0x1000, 0x1000),
                new MemoryRegion("core", MemoryRegion.Kind.STACK, 0x10000, 16384),
                new MemoryRegion("code", MemoryRegion.Kind.CODE, 0x100000, 256 * 1024),
                new MemoryRegion("local", MemoryRegion.Kind.LOCAL, 0x400000, 256 * 1024),
                new MemoryRegion("dram", MemoryRegion.Kind.DRAM, 0x80000000L, 64 << 20)), d.info().regions());
        assertEquals(Map.of(1, 0x1010L, 2, 0x1020L, 3, 0x1030L, 5, 0x1050L, 6, 0x1060L, 7, 0x1070L, 8, 0x1080L,
                44, 0x12c0L, 54, 0x1360L, 65, 0x1410L), d.info().helperAddresses());
        assertEquals(java.util.Set.of(MapType.ARRAY, MapType.HASH), d.info().mapTypes());
        assertTrue(d.info().staticOffload() && d.info().dynamicOffload());
        assertEquals("RFPC big (4x8 RV32IMC cores, 256 KiB code, 65536 KiB DRAM)", d.toString());
    }

    /**
     * Every core of a group adds to one 64-bit counter and swaps a word through the firmware
     * atomic routines at once (eight threads on four cores, both flows): no update is lost, and
     * the fetch form returns the old value to the program.
     */
    @Test
    void firmwareAtomicsLoseNoUpdateAcrossCores() throws Exception {
        for (RfpcDevice.Flow flow : RfpcDevice.Flow.values()) {
            RfpcDevice d = new RfpcDevice(RfpcConfig.small("atom"));
            d.addBackend(new org.obpf.jit.riscv.Rv32JitBackend());
            DeviceMap counters = d.createMap(new MapSpec("counters", MapType.ARRAY, 4, 16, 1, 0));
            long[] prog = {
                Insn.encode(BPF_LD | BPF_DW | BPF_IMM, 2, BPF_PSEUDO_MAP_IDX_VALUE, 0, 0), Insn.encode(0, 0, 0, 0, 0),
                Insn.encode(BPF_ALU64 | BPF_MOV | BPF_K, 1, 0, 0, 3),
                Insn.encode(BPF_STX | BPF_ATOMIC | BPF_DW, 2, 1, 0, BPF_ADD | BPF_FETCH), // r1 = old, counter += 3
                Insn.encode(BPF_ALU64 | BPF_MOV | BPF_K, 3, 0, 0, 1),
                Insn.encode(BPF_STX | BPF_ATOMIC | BPF_W, 2, 3, 8, BPF_XCHG), // word at 8 = 1
                Insn.encode(BPF_ALU64 | BPF_MOV | BPF_X, 0, 1, 0, 0),
                Insn.encode(BPF_ALU64 | BPF_MOD | BPF_K, 0, 0, 0, 3), // 0 when the old value was a multiple of 3
                Insn.encode(BPF_ALU64 | BPF_ADD | BPF_K, 0, 0, 0, 2), // XDP_PASS
                EXIT};
            try (DeviceProgram p = d.translate(CompileRequest.of("atom", ProgramType.XDP, prog), List.of(counters), flow)) {
                int threads = 8, runs = 300;
                var pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
                List<java.util.concurrent.Future<Long>> verdicts = new java.util.ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    verdicts.add(pool.submit(() -> {
                        long bad = 0;
                        for (int i = 0; i < runs; i++) if (p.testRun(new byte[64], 1).retval() != 2) bad++;
                        return bad;
                    }));
                }
                for (var v : verdicts) assertEquals(0L, v.get(), flow + ": a fetch returned a value that is not a multiple of 3");
                pool.shutdown();
                byte[] value = counters.lookup(new byte[4]);
                var b = java.nio.ByteBuffer.wrap(value).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                assertEquals(3L * threads * runs, b.getLong(0), flow + ": counter");
                assertEquals(1, b.getInt(8), flow + ": exchanged word");
            }
        }
    }

    @Test
    void checkListsEveryReason() {
        RfpcDevice d = new RfpcDevice(RfpcConfig.small("q"));
        long[] insns = new long[3000];
        for (int i = 0; i < insns.length; i++) insns[i] = MOV0;
        insns[5] = Insn.encode(BPF_STX | BPF_ATOMIC | BPF_W, 1, 2, 0, BPF_ADD);
        insns[6] = Insn.encode(BPF_JMP | BPF_CALL, 0, 0, 0, 12);
        insns[insns.length - 1] = EXIT;
        OffloadCheck c = d.check(new OffloadCandidate("big", ProgramType.SCHED_CLS, insns,
                List.of(new MapSpec("m", MapType.HASH, 8, 1024, 5000, 0))));
        assertEquals(List.of(
                "q cannot load programs: no riscv32 JIT back-end is installed (bpf.arch=riscv32); its maps and queries keep working",
                "q runs xdp programs only, not sched_cls",
                "insn 6: tail calls: q has no prog array maps",
                "program of 3000 instructions needs about 96000 bytes of code memory; q has 65536 free in one block (of 65536)",
                "maps need 5160032 bytes of DRAM; q has 4194304 free in one block (of 4194304)"),
                c.reasons().stream().map(Refusal::detail).toList());
        assertEquals(List.of(Refusal.Kind.NO_BACKEND, Refusal.Kind.PROGRAM_TYPE, Refusal.Kind.INSTRUCTION,
                Refusal.Kind.SIZE, Refusal.Kind.SIZE), c.reasons().stream().map(Refusal::kind).toList());
    }

    @Test
    void withoutRiscv32ItCannotLoadButMapsWork() throws BpfException {
        RfpcDevice d = new RfpcDevice(RfpcConfig.small("nb"));
        DeviceMap m = d.createMap(new MapSpec("m", MapType.ARRAY, 4, 4, 1, 0));
        m.update(new byte[4], new byte[] {1, 2, 3, 4}, 0);
        assertArrayEquals(new byte[] {1, 2, 3, 4}, m.lookup(new byte[4]));
        BpfException e = assertThrows(BpfException.class, () -> d.translate(CompileRequest.of("p", ProgramType.XDP,
                new long[] {MOV0, EXIT}), List.of(), RfpcDevice.Flow.DYNAMIC));
        assertEquals(Errno.ENODEV, e.errno());
        assertEquals("nb cannot load programs: no riscv32 JIT back-end is installed (bpf.arch=riscv32); its maps and queries keep working",
                e.getMessage());
        d.addBackend(new ImageBackend("riscv64", null, dir));
        assertTrue(d.backend().isEmpty(), "a riscv64 back-end is no use to RV32 cores");
    }

    /**
     * A stand-in for jit-riscv's riscv32 service in this bundle's tests: "compiles" every request to
     * the hand-built XDP image and links it with GNU ld. It exercises the device's translate path
     * (back-end from the registry, static link by the host, dynamic load by the device).
     */
    record ImageBackend(String arch, RvImages.Assembled image, Path dir) implements JitBackend {
        @Override
        public boolean needsZext() {
            return true;
        }

        @Override
        public Capabilities capabilities() {
            return Capabilities.everything();
        }

        @Override
        public RelocatableImage compile(CompileRequest request) {
            return image.image();
        }

        @Override
        public LinkedImage link(RelocatableImage img, SymbolTable symbols) throws LinkException {
            Map<String, Long> defs = new LinkedHashMap<>();
            for (Map.Entry<Symbol, Long> e : symbols.addresses().entrySet()) {
                Symbol s = e.getKey();
                switch (s.kind()) {
                    case MAP -> defs.put("map_" + s.index(), e.getValue());
                    case MAP_VALUE -> defs.put("map_value_" + s.index(), e.getValue());
                    case HELPER -> defs.put("helper_" + s.index(), e.getValue());
                    default -> { }
                }
            }
            try {
                byte[] code = RvImages.ldLink(dir, image.object(), symbols.loadAddress(), defs);
                return new LinkedImage(arch, symbols.loadAddress(), code, img.subprogOffsets(), img.insnOffsets());
            } catch (Exception e) {
                throw new LinkException(arch, List.of(e.getMessage()));
            }
        }
    }

    @Test
    void translateUsesTheRiscv32BackendInBothFlows() throws Exception {
        RfpcDevice d = new RfpcDevice(RfpcConfig.small("tr"));
        DeviceMap counters = d.createMap(new MapSpec("counters", MapType.ARRAY, 4, 8, 4, 0));
        DeviceMap macs = d.createMap(new MapSpec("macs", MapType.HASH, 4, 8, 16, 0));
        JitBackend rv32 = new ImageBackend("riscv32", RvImages.assemble(dir, "xdp_image.S"), dir);
        d.addBackend(rv32);
        assertTrue(d.check(new OffloadCandidate("p", ProgramType.XDP, new long[] {MOV0, EXIT}, List.of())).offloadable());
        CompileRequest req = CompileRequest.of("xdp", ProgramType.XDP, new long[] {MOV0, EXIT});
        DeviceProgram st = d.translate(req, List.of(counters, macs), RfpcDevice.Flow.STATIC);
        DeviceProgram dy = d.translate(req, List.of(counters, macs), RfpcDevice.Flow.DYNAMIC);
        byte[] ipv4 = RfpcLoaderTest.frame(0x0800, 64);
        assertEquals(3, st.testRun(ipv4, 1).retval());
        assertEquals(3, dy.testRun(ipv4, 1).retval());
        // The device's own relocation of the dynamic image equals the back-end's (ld's) link at that base.
        assertArrayEquals(RvImages.ldLink(dir, ((ImageBackend) rv32).image().object(), dy.loadAddress(), Map.of("map_0", counters.deviceAddress(),
                        "map_1", macs.deviceAddress(), "map_value_0", counters.valueAddress(), "helper_1", 0x1010L,
                        "helper_2", 0x1020L, "helper_6", 0x1060L, "helper_65", 0x1410L)),
                d.codeAt(dy.loadAddress(), dy.size()));

        OffloadException e = assertThrows(OffloadException.class, () -> d.translate(CompileRequest.of("tc", ProgramType.SCHED_CLS,
                new long[] {MOV0, EXIT}), List.of(), RfpcDevice.Flow.DYNAMIC));
        assertEquals("tr: tr runs xdp programs only, not sched_cls", e.getMessage());

        d.removeBackend(rv32);
        assertEquals(Errno.ENODEV, assertThrows(BpfException.class, () -> d.translate(req, List.of(), RfpcDevice.Flow.STATIC)).errno());
        assertEquals(3, st.testRun(ipv4, 1).retval(), "loaded programs keep running when the back-end goes");
    }
}
