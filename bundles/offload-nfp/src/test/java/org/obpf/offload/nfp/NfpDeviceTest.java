package org.obpf.offload.nfp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.obpf.api.BpfException;
import org.obpf.api.Errno;
import org.obpf.api.insn.Insn;
import org.obpf.api.jit.CompileOptions;
import org.obpf.api.jit.CompileRequest;
import org.obpf.api.jit.LinkedImage;
import org.obpf.api.jit.Refusal;
import org.obpf.api.jit.RelocatableImage;
import org.obpf.api.map.MapSpec;
import org.obpf.api.map.MapType;
import org.obpf.api.offload.DeviceImage;
import org.obpf.api.offload.DeviceMap;
import org.obpf.api.offload.DeviceProgram.DeviceRun;
import org.obpf.api.offload.OffloadCandidate;
import org.obpf.api.prog.ProgramType;
import org.obpf.jit.nfp.NfpJitBackend;

/** The device: maps through the host and the firmware, both loaders, action codes, inline helpers, refusals. */
class NfpDeviceTest {
    static final NfpJitBackend JIT = new NfpJitBackend();

    static long i(int code, int dst, int src, int off, int imm) {
        return Insn.encode(code, dst, src, off, imm);
    }

    static long[] prog(long... insns) {
        return insns;
    }

    static final long EXIT = i(0x95, 0, 0, 0, 0);

    /** {@code r<dst> = map <idx>} (two slots). */
    static long[] ldMap(int dst, int idx) {
        return new long[] {i(0x18, dst, 5, 0, idx), 0};
    }

    static long[] cat(Object... parts) {
        return Arrays.stream(parts).flatMapToLong(p -> p instanceof long[] a ? Arrays.stream(a) : java.util.stream.LongStream.of((Long) p)).toArray();
    }

    static NfpDevice device(String name) {
        NfpDevice d = new NfpDevice(name, 1 << 20);
        d.addBackend(JIT);
        return d;
    }

    static NfpProgram load(NfpDevice d, ProgramType type, long[] insns, List<DeviceMap> maps, NfpDevice.Flow flow) throws BpfException {
        return d.translate(new CompileRequest("t", type, insns, null, null, false, CompileOptions.DEFAULT), maps, flow);
    }

    static byte[] packet(int len) {
        byte[] p = new byte[len];
        for (int k = 0; k < len; k++) p[k] = (byte) (k * 7 + 1);
        return p;
    }

    static byte[] le32(int v) {
        return new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
    }

    @Test
    void mapsThroughTheHostGiveTheKernelsErrnos() throws Exception {
        NfpDevice d = device("nfp-maps");
        DeviceMap a = d.createMap(new MapSpec("arr", MapType.ARRAY, 4, 12, 3, 0));
        assertArrayEquals(new byte[12], a.lookup(le32(2)));
        byte[] v = packet(12);
        a.update(le32(2), v, 0);
        assertArrayEquals(v, a.lookup(le32(2)));
        assertEquals(Errno.ENOENT, assertThrows(BpfException.class, () -> a.lookup(le32(3))).errno());
        assertEquals(Errno.E2BIG, assertThrows(BpfException.class, () -> a.update(le32(3), v, 0)).errno());
        assertEquals(Errno.EEXIST, assertThrows(BpfException.class, () -> a.update(le32(0), v, 1)).errno());
        assertEquals(Errno.EINVAL, assertThrows(BpfException.class, () -> a.delete(le32(0))).errno());
        assertArrayEquals(le32(0), a.nextKey(null));
        assertArrayEquals(le32(2), a.nextKey(le32(1)));
        assertEquals(Errno.ENOENT, assertThrows(BpfException.class, () -> a.nextKey(le32(2))).errno());

        DeviceMap h = d.createMap(new MapSpec("hash", MapType.HASH, 4, 8, 2, 0));
        assertEquals(Errno.ENOENT, assertThrows(BpfException.class, () -> h.lookup(le32(1))).errno());
        assertEquals(Errno.ENOENT, assertThrows(BpfException.class, () -> h.update(le32(1), new byte[8], 2)).errno());
        h.update(le32(1), new byte[8], 1);
        assertEquals(Errno.EEXIST, assertThrows(BpfException.class, () -> h.update(le32(1), new byte[8], 1)).errno());
        h.update(le32(2), new byte[8], 0);
        assertEquals(Errno.E2BIG, assertThrows(BpfException.class, () -> h.update(le32(3), new byte[8], 0)).errno());
        Set<String> keys = new HashSet<>();
        for (byte[] k = h.nextKey(null); ; ) {
            keys.add(Arrays.toString(k));
            try {
                k = h.nextKey(k);
            } catch (BpfException e) {
                assertEquals(Errno.ENOENT, e.errno());
                break;
            }
        }
        assertEquals(Set.of(Arrays.toString(le32(1)), Arrays.toString(le32(2))), keys);
        h.delete(le32(1));
        assertEquals(Errno.ENOENT, assertThrows(BpfException.class, () -> h.delete(le32(1))).errno());
        h.update(le32(3), new byte[8], 0);
        assertEquals(Errno.EINVAL, assertThrows(BpfException.class, () -> h.update(le32(9), new byte[8], 4)).errno());
        assertEquals(Errno.EINVAL, assertThrows(BpfException.class, () -> d.createMap(new MapSpec("p", MapType.PROG_ARRAY, 4, 4, 2, 0))).errno());
        long before = d.dramFree();
        h.close();
        a.close();
        assertTrue(d.dramFree() > before);
    }

    /** key 7 on the stack at r10-4, the value 0x1122334455667788 at r10-16, then update with {@code flags}. */
    static long[] updateProgram(int flags) {
        return cat(i(0xb7, 2, 0, 0, 7), i(0x63, 10, 2, -4, 0), new long[] {i(0x18, 3, 0, 0, 0x55667788), i(0, 0, 0, 0, 0x11223344)},
                i(0x7b, 10, 3, -16, 0), ldMap(1, 0), i(0xbf, 2, 10, 0, 0), i(0x07, 2, 0, 0, -4), i(0xbf, 3, 10, 0, 0),
                i(0x07, 3, 0, 0, -16), i(0xb7, 4, 0, 0, flags), i(0x85, 0, 0, 0, 2), EXIT);
    }

    @Test
    void firmwareMapHelpersAnswerWithErrnosAndTheHostSeesTheirWrites() throws Exception {
        NfpDevice d = device("nfp-fw");
        DeviceMap h = d.createMap(new MapSpec("hash", MapType.HASH, 4, 8, 4, 0));
        try (NfpProgram p = load(d, ProgramType.XDP, updateProgram(1), List.of(h), NfpDevice.Flow.DYNAMIC)) {
            assertEquals(0, p.testRun(packet(60), 1).retval());
            assertArrayEquals(new byte[] {(byte) 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11}, h.lookup(le32(7)));
            assertEquals(-17, p.testRun(packet(60), 1).retval(), "BPF_NOEXIST on an existing key: -EEXIST");
        }
        long[] delete = cat(i(0xb7, 2, 0, 0, 8), i(0x63, 10, 2, -4, 0), ldMap(1, 0), i(0xbf, 2, 10, 0, 0), i(0x07, 2, 0, 0, -4),
                i(0x85, 0, 0, 0, 3), EXIT);
        try (NfpProgram p = load(d, ProgramType.XDP, delete, List.of(h), NfpDevice.Flow.STATIC)) {
            assertEquals(-2, p.testRun(packet(60), 1).retval(), "delete of a missing key: -ENOENT");
            h.update(le32(8), new byte[8], 0);
            assertEquals(0, p.testRun(packet(60), 1).retval());
            assertEquals(Errno.ENOENT, assertThrows(BpfException.class, () -> h.lookup(le32(8))).errno());
        }
        // lookup, then atomic adds of a 16-bit and a wider addend, 64- and 32-bit
        long[] count = cat(i(0xb7, 2, 0, 0, 7), i(0x63, 10, 2, -4, 0), ldMap(1, 0), i(0xbf, 2, 10, 0, 0), i(0x07, 2, 0, 0, -4),
                i(0x85, 0, 0, 0, 1), i(0x15, 0, 0, 5, 0), i(0xb7, 1, 0, 0, 5), i(0xdb, 0, 1, 0, 0), i(0xb7, 1, 0, 0, 0x12345),
                i(0xc3, 0, 1, 4, 0), i(0xb7, 0, 0, 0, 2), EXIT);
        h.update(le32(7), new byte[8], 0);
        try (NfpProgram p = load(d, ProgramType.XDP, count, List.of(h), NfpDevice.Flow.DYNAMIC)) {
            for (int k = 0; k < 3; k++) assertEquals(2, p.testRun(packet(60), 1).retval());
            assertArrayEquals(new byte[] {15, 0, 0, 0, (byte) 0xcf, 0x69, 3, 0}, h.lookup(le32(7)));
        }
    }

    @Test
    void imagesRunAtDifferentLoadBases() throws Exception {
        NfpDevice d = device("nfp-bases");
        DeviceMap h = d.createMap(new MapSpec("hash", MapType.HASH, 4, 8, 4, 0));
        NfpProgram first = load(d, ProgramType.XDP, updateProgram(0), List.of(h), NfpDevice.Flow.DYNAMIC);
        NfpProgram second = load(d, ProgramType.XDP, updateProgram(0), List.of(h), NfpDevice.Flow.DYNAMIC);
        NfpProgram third = load(d, ProgramType.XDP, updateProgram(0), List.of(h), NfpDevice.Flow.STATIC);
        assertEquals(3, Set.of(first.loadAddress(), second.loadAddress(), third.loadAddress()).size());
        assertEquals(first.size(), second.size());
        for (NfpProgram p : List.of(first, second, third)) {
            assertEquals(0, p.testRun(packet(60), 1).retval(), p.toString());
            assertArrayEquals(new byte[] {(byte) 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11}, h.lookup(le32(7)));
            h.delete(le32(7)); // so the next program's update is seen
        }
        first.close();
        // freed code is reused: the next image goes back to the first base
        NfpProgram again = load(d, ProgramType.XDP, updateProgram(0), List.of(h), NfpDevice.Flow.DYNAMIC);
        assertEquals(first.loadAddress(), again.loadAddress());
        assertEquals(0, again.testRun(packet(60), 1).retval());
    }

    @Test
    void loaderChecksEccAndRelocationBytes() throws Exception {
        NfpDevice d = device("nfp-ecc");
        long[] ret2 = prog(i(0xb7, 0, 0, 0, 2), EXIT);
        RelocatableImage img = JIT.compile(new CompileRequest("t", ProgramType.XDP, ret2, null, null, false, CompileOptions.DEFAULT));
        long at = d.reserveCode(img.size());
        LinkedImage li = JIT.link(img, d.symbols(at, img, List.of()));
        byte[] code = li.code();
        code[8 * 3 + 5] ^= 0x40; // an ECC bit of word 3 (bit 46)
        BpfException e = assertThrows(BpfException.class, () -> d.loadStatic("bad", ProgramType.XDP,
                new LinkedImage(li.arch(), li.loadAddress(), code, li.subprogOffsets(), li.insnOffsets())));
        assertTrue(e.getMessage().contains("word 3") && e.getMessage().contains("ECC"), e.getMessage());
        // an unlinked image sent as linked: its branches still carry relocation bytes
        e = assertThrows(BpfException.class, () -> d.loadStatic("unlinked", ProgramType.XDP,
                new LinkedImage("nfp", d.reserveCode(img.size()), img.code(), img.subprogOffsets(), img.insnOffsets())));
        assertTrue(e.getMessage().contains("relocation byte") && e.getMessage().contains("not linked"), e.getMessage());
        try (NfpProgram p = d.loadStatic("good", ProgramType.XDP, JIT.link(img, d.symbols(d.reserveCode(img.size()), img, List.of())))) {
            DeviceRun r = p.testRun(packet(64), 3);
            assertEquals(2, r.retval());
            assertEquals(0x11, p.lastAction(), "XDP_PASS: the firmware's pass code");
            assertArrayEquals(packet(64), r.packet());
            assertTrue(r.cycles() > 0);
        }
    }

    @Test
    void actionCodesOfXdpAndTc() throws Exception {
        NfpDevice d = device("nfp-actions");
        int[][] xdp = {{0, 0x82}, {1, 0x22}, {2, 0x11}, {3, 0x44}, {9, 0x82}};
        for (int[] c : xdp) {
            try (NfpProgram p = load(d, ProgramType.XDP, prog(i(0xb7, 0, 0, 0, c[0]), EXIT), List.of(), NfpDevice.Flow.DYNAMIC)) {
                assertEquals(c[0], p.testRun(packet(60), 1).retval());
                assertEquals(c[1], p.lastAction(), "xdp " + c[0]);
            }
        }
        int[][] tc = {{2, 0x22}, {4, 0x02}, {5, 0x02}, {8, 0x11}};
        for (int[] c : tc) {
            try (NfpProgram p = load(d, ProgramType.SCHED_CLS, prog(i(0xb7, 0, 0, 0, c[0]), EXIT), List.of(), NfpDevice.Flow.STATIC)) {
                assertEquals(c[0], p.testRun(packet(60), 1).retval());
                assertEquals(c[1], p.lastAction(), "tc " + c[0]);
            }
        }
    }

    /** r0 = bpf_xdp_adjust_head(ctx, delta); then r0 = r0 == 0 ? XDP_PASS : r0 (the errno). */
    static long[] adjust(int helper, int delta) {
        return prog(i(0xb7, 2, 0, 0, delta), i(0x85, 0, 0, 0, helper), i(0x55, 0, 0, 1, 0), i(0xb7, 0, 0, 0, 2), EXIT);
    }

    @Test
    void adjustHeadAndTailMoveThePacketWithinTheFirmwaresLimits() throws Exception {
        NfpDevice d = device("nfp-adjust");
        byte[] in = packet(64);
        try (NfpProgram p = load(d, ProgramType.XDP, adjust(44, 14), List.of(), NfpDevice.Flow.DYNAMIC)) {
            DeviceRun r = p.testRun(in, 1);
            assertEquals(2, r.retval());
            assertArrayEquals(Arrays.copyOfRange(in, 14, 64), r.packet());
        }
        try (NfpProgram p = load(d, ProgramType.XDP, adjust(44, -16), List.of(), NfpDevice.Flow.DYNAMIC)) {
            DeviceRun r = p.testRun(in, 1);
            assertEquals(2, r.retval());
            byte[] want = new byte[80];
            System.arraycopy(in, 0, want, 16, 64);
            assertArrayEquals(want, r.packet());
        }
        // below the firmware's minimum packet offset (32: 128 - 100), and leaving less than an Ethernet header
        for (int delta : new int[] {-100, 60}) {
            try (NfpProgram p = load(d, ProgramType.XDP, adjust(44, delta), List.of(), NfpDevice.Flow.DYNAMIC)) {
                DeviceRun r = p.testRun(in, 1);
                assertEquals(-22, r.retval(), "delta " + delta);
                assertArrayEquals(in, r.packet());
            }
        }
        try (NfpProgram p = load(d, ProgramType.XDP, adjust(65, -20), List.of(), NfpDevice.Flow.DYNAMIC)) {
            DeviceRun r = p.testRun(in, 1);
            assertEquals(2, r.retval());
            assertArrayEquals(Arrays.copyOf(in, 44), r.packet());
            assertEquals(-22, p.testRun(packet(20), 1).retval(), "would leave less than an Ethernet header");
        }
    }

    @Test
    void prandomComesFromTheCsr() throws Exception {
        NfpDevice d = device("nfp-rnd");
        try (NfpProgram p = load(d, ProgramType.XDP, prog(i(0x85, 0, 0, 0, 7), EXIT), List.of(), NfpDevice.Flow.DYNAMIC)) {
            Set<Long> seen = new HashSet<>();
            for (int k = 0; k < 16; k++) {
                long r = p.testRun(packet(60), 1).retval();
                assertEquals(0, r >>> 32, "a u32");
                seen.add(r);
            }
            assertTrue(seen.size() > 8, seen.toString());
        }
    }

    @Test
    void perfEventOutputRecordsReachTheHost() throws Exception {
        NfpDevice d = device("nfp-perf");
        NfpMap.PerfEvents events = (NfpMap.PerfEvents) d.createMap(new MapSpec("events", MapType.PERF_EVENT_ARRAY, 4, 4, 1, 0));
        // *(u32 *)(r10 - 8) = 0x04030201; perf_event_output(ctx, events, BPF_F_CURRENT_CPU, r10 - 8, 4)
        long[] code = cat(i(0xb7, 2, 0, 0, 0x04030201), i(0x63, 10, 2, -8, 0), ldMap(2, 0), i(0xb4, 3, 0, 0, -1),
                i(0xbf, 4, 10, 0, 0), i(0x07, 4, 0, 0, -8), i(0xb7, 5, 0, 0, 4), i(0x85, 0, 0, 0, 25), EXIT);
        for (NfpDevice.Flow flow : NfpDevice.Flow.values()) {
            try (NfpProgram p = load(d, ProgramType.XDP, code, List.of(events), flow)) {
                assertEquals(0, p.testRun(packet(60), 2).retval());
            }
            List<byte[]> got = events.drain();
            assertEquals(2, got.size(), flow.toString());
            for (byte[] r : got) assertArrayEquals(new byte[] {1, 2, 3, 4}, r);
        }
        assertEquals(Errno.EOPNOTSUPP, assertThrows(BpfException.class, () -> events.update(le32(0), le32(0), 0)).errno());
    }

    /** 64- and 32-bit shifts by a register, amounts 0..63, against Java (the simulator's indirect shifts). */
    @Test
    void shiftsByRegisterMatchJava() throws Exception {
        NfpDevice d = device("nfp-shift");
        long x = 0x8123456789abcdefL;
        // r0 = x; r1 = n; r0 <op>= r1; exit
        int[][] ops = {{0x6f, 64}, {0x7f, 64}, {0xcf, 64}, {0x6c, 32}, {0x7c, 32}, {0xcc, 32}};
        for (int[] op : ops) {
            for (int n = 0; n < op[1]; n += (n < 2 || n > 29 && n < 35 || n > 61) ? 1 : 7) {
                long[] code = cat(new long[] {i(0x18, 0, 0, 0, (int) x), i(0, 0, 0, 0, (int) (x >>> 32))}, i(0xb7, 1, 0, 0, n),
                        i(op[0], 0, 1, 0, 0), EXIT);
                long want = switch (op[0]) {
                    case 0x6f -> x << n;
                    case 0x7f -> x >>> n;
                    case 0xcf -> x >> n;
                    case 0x6c -> (int) x << n & 0xffffffffL;
                    case 0x7c -> ((int) x >>> n) & 0xffffffffL;
                    default -> ((int) x >> n) & 0xffffffffL;
                };
                try (NfpProgram p = load(d, ProgramType.XDP, code, List.of(), NfpDevice.Flow.DYNAMIC)) {
                    assertEquals(want, p.testRun(packet(60), 1).retval(), String.format("op 0x%x by %d", op[0], n));
                }
            }
        }
    }

    @Test
    void withoutTheBackEndMapsWorkAndLoadsSayWhy() throws Exception {
        NfpDevice d = new NfpDevice("nfp-alone", 1 << 16);
        var c = d.check(new OffloadCandidate("p", ProgramType.XDP, prog(i(0xb7, 0, 0, 0, 2), EXIT), List.of()));
        assertEquals(List.of(Refusal.Kind.NO_BACKEND), c.reasons().stream().map(Refusal::kind).toList());
        BpfException e = assertThrows(BpfException.class, () -> load(d, ProgramType.XDP, prog(i(0xb7, 0, 0, 0, 2), EXIT), List.of(), NfpDevice.Flow.DYNAMIC));
        assertEquals(Errno.ENODEV, e.errno());
        assertEquals("nfp-alone cannot load programs: no nfp JIT back-end is installed (bpf.arch=nfp, bundle jit-nfp); its maps and queries keep working",
                e.getMessage());
        DeviceMap m = d.createMap(new MapSpec("arr", MapType.ARRAY, 4, 4, 1, 0));
        m.update(le32(0), le32(5), 0);
        assertArrayEquals(le32(5), m.lookup(le32(0)));
        var refused = d.check(new OffloadCandidate("p", ProgramType.SOCKET_FILTER, prog(EXIT), List.of(new MapSpec("l", MapType.LPM_TRIE, 8, 4, 1, 1))));
        assertEquals(List.of("nfp-alone cannot load programs: no nfp JIT back-end is installed (bpf.arch=nfp, bundle jit-nfp); its maps and queries keep working",
                "nfp-alone runs xdp and sched_cls programs only, not socket_filter",
                "map l of type LPM_TRIE cannot live on nfp-alone (array, hash and perf event array only)"), refused.reasons().stream().map(Refusal::detail).toList());
        assertNotEquals(0, d.dramFree());
    }
}
