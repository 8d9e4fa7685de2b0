package org.obpf.offload.rfpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.obpf.api.BpfException;
import org.obpf.api.Errno;
import org.obpf.api.jit.LinkedImage;
import org.obpf.api.jit.RelocatableImage;
import org.obpf.api.jit.Relocation;
import org.obpf.api.jit.Symbol;
import org.obpf.api.map.MapSpec;
import org.obpf.api.map.MapType;
import org.obpf.api.offload.DeviceImage;
import org.obpf.api.offload.DeviceMap;
import org.obpf.api.offload.DeviceProgram;
import org.obpf.api.prog.ProgramType;
import org.obpf.offload.rfpc.testing.RvImages;

/**
 * Both offload flows with a hand-built RV32 XDP image (rv32/xdp_image.S) carrying R_RISCV_*
 * relocations of every kind a JIT emits: the device's loader must produce, at the base it picks,
 * exactly the bytes GNU ld produces linking the same object at that address; the static image
 * (linked by ld at a reserved address) is loaded as is; all of them give the same verdicts,
 * packets, cycles, map contents and trace output.
 */
class RfpcLoaderTest {
    @TempDir
    Path dir;

    RfpcDevice dev;
    DeviceMap counters;
    DeviceMap macs;

    @BeforeEach
    void device() throws BpfException {
        dev = new RfpcDevice(RfpcConfig.small("rfpc-test"));
        counters = dev.createMap(new MapSpec("counters", MapType.ARRAY, 4, 8, 4, 0));
        macs = dev.createMap(new MapSpec("macs", MapType.HASH, 4, 8, 16, 0));
    }

    Map<String, Long> symbols() {
        Map<String, Long> s = new LinkedHashMap<>();
        s.put("map_0", counters.deviceAddress());
        s.put("map_1", macs.deviceAddress());
        s.put("map_value_0", counters.valueAddress());
        for (int h : new int[] {1, 2, 6, 65}) s.put("helper_" + h, (long) Layout.helperAddress(h));
        return s;
    }

    static byte[] frame(int type, int length) {
        byte[] p = new byte[length];
        for (int i = 0; i < length; i++) p[i] = (byte) (i * 7 + 1);
        byte[] dst = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55}, src = {0x66, 0x77, (byte) 0x88, (byte) 0x99, (byte) 0xaa, (byte) 0xbb};
        System.arraycopy(dst, 0, p, 0, 6);
        System.arraycopy(src, 0, p, 6, 6);
        p[12] = (byte) (type >> 8);
        p[13] = (byte) type;
        return p;
    }

    static int u32(byte[] b, int at) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt(at);
    }

    static byte[] key(int k) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(k).array();
    }

    @Test
    void dynamicAndStaticFlowsGiveLdsBytesAndTheSameResults() throws Exception {
        RvImages.Assembled a = RvImages.assemble(dir, "xdp_image.S");
        RelocatableImage image = a.image();
        assertTrue(image.relocations().stream().map(Relocation::type).distinct().count() >= 12,
                "the image should carry most relocation types: " + image.relocations());

        // Dynamic, twice: the device picks two different bases.
        DeviceProgram d1 = dev.load(new DeviceImage.Dynamic("xdp_dyn1", ProgramType.XDP, image, List.of(counters, macs)));
        DeviceProgram d2 = dev.load(new DeviceImage.Dynamic("xdp_dyn2", ProgramType.XDP, image, List.of(counters, macs)));
        assertNotEquals(d1.loadAddress(), d2.loadAddress());
        for (DeviceProgram p : List.of(d1, d2)) {
            byte[] ld = RvImages.ldLink(dir, a.object(), p.loadAddress(), symbols());
            assertArrayEquals(ld, dev.codeAt(p.loadAddress(), ld.length), "relocated at 0x" + Long.toHexString(p.loadAddress()));
        }

        // Static: the host links at a reserved address (here GNU ld does the host's part).
        long at = dev.reserveCode(image.size());
        byte[] linked = RvImages.ldLink(dir, a.object(), at, symbols());
        DeviceProgram s = dev.load(new DeviceImage.Static("xdp_static", new LinkedImage("riscv32", at, linked,
                image.subprogOffsets(), image.insnOffsets())));
        assertEquals(at, s.loadAddress());
        assertArrayEquals(linked, dev.codeAt(at, linked.length));

        byte[] ipv4 = frame(0x0800, 60), ipv6 = frame(0x86dd, 60), arp = frame(0x0806, 42);
        byte[] swapped = ipv4.clone();
        System.arraycopy(ipv4, 6, swapped, 0, 6);
        System.arraycopy(ipv4, 0, swapped, 6, 6);
        long[] cycles = new long[3];
        List<DeviceProgram> progs = List.of(d1, d2, s);
        for (int i = 0; i < 3; i++) {
            DeviceProgram p = progs.get(i);
            DeviceProgram.DeviceRun r4 = p.testRun(ipv4, 1);
            assertEquals(3, r4.retval(), p.name() + ": IPv4 is XDP_TX");
            assertArrayEquals(swapped, r4.packet(), p.name() + ": MACs swapped");
            DeviceProgram.DeviceRun r6 = p.testRun(ipv6, 1);
            assertEquals(2, r6.retval(), p.name() + ": IPv6 is XDP_PASS");
            assertArrayEquals(Arrays.copyOf(ipv6, 56), r6.packet(), p.name() + ": shortened by bpf_xdp_adjust_tail");
            DeviceProgram.DeviceRun ra = p.testRun(arp, 1);
            assertEquals(2, ra.retval());
            assertEquals(38, ra.packet().length);
            assertTrue(r4.cycles() > 0 && r4.durationNanos() > 0);
            cycles[i] = r4.cycles();
        }
        assertEquals(cycles[0], cycles[1], "the same code at another base takes the same cycles");
        assertEquals(cycles[0], cycles[2], "static and dynamic images are the same code");

        // Host-side map access goes through the device.
        assertEquals(3, u32(counters.lookup(key(0)), 0));
        assertEquals(3, u32(counters.lookup(key(1)), 0));
        assertEquals(3, u32(counters.lookup(key(2)), 0));
        assertEquals(3 * (60 + 60 + 42), u32(counters.lookup(key(3)), 0), "bytes, through PCREL_HI20/LO12_S");
        assertEquals(42, u32(counters.lookup(key(3)), 4), "last length, through HI20/LO12_S");
        assertEquals(6, ByteBuffer.wrap(macs.lookup(key(0xbb))).order(ByteOrder.LITTLE_ENDIAN).getLong());
        assertArrayEquals(key(0xbb), macs.nextKey(null));
        List<String> trace = new ArrayList<>();
        for (String line : dev.drainTrace()) trace.add(line.replaceFirst("^core\\d+: ", ""));
        assertEquals(6, trace.size(), trace.toString());
        assertEquals("key 187 len 60 tag 1122334455667788", trace.get(0));
        assertEquals("key 187 len 42 tag 1122334455667788", trace.get(1));

        // Repeats run from the same packet each time, and count once per run.
        DeviceProgram.DeviceRun r = d1.testRun(ipv4, 10);
        assertArrayEquals(swapped, r.packet());
        assertEquals(13, u32(counters.lookup(key(0)), 0));

        // Unloading frees the code memory, and the program is gone.
        long free = dev.codeFree();
        d2.close();
        assertTrue(dev.codeFree() > free);
        assertEquals(Errno.ENOENT, assertThrows(BpfException.class, () -> d2.testRun(ipv4, 1)).errno());
        assertEquals(2, dev.programs().size());
    }

    @Test
    void loaderRefusesWhatItCannotBind() throws Exception {
        byte[] cj = {0x01, (byte) 0xa0, 0x01, (byte) 0xa0}; // c.j 0; c.j 0
        RelocatableImage far = new RelocatableImage("riscv32", cj, List.of(
                new Relocation(0, Relocator.R_RISCV_RVC_JUMP, "R_RISCV_RVC_JUMP", Symbol.helper(1), 0),
                new Relocation(2, Relocator.R_RISCV_RVC_JUMP, "R_RISCV_RVC_JUMP", Symbol.helper(99), 0)),
                new int[] {0}, new int[] {0, 4});
        BpfException e = assertThrows(BpfException.class,
                () -> dev.load(new DeviceImage.Dynamic("far", ProgramType.XDP, far, List.of())));
        assertEquals(Errno.EINVAL, e.errno());
        assertEquals("rfpc-test: loading far: R_RISCV_RVC_JUMP at offset 0 to helper#1: 0x1010 is out of range (±2 KiB); "
                + "unresolved symbol helper#99 (R_RISCV_RVC_JUMP at offset 2)", e.getMessage());
        assertEquals(64 * 1024, dev.codeFree(), "a failed load gives its code memory back");

        DeviceMap foreign = new RfpcDevice(RfpcConfig.small("other")).createMap(new MapSpec("m", MapType.ARRAY, 4, 4, 1, 0));
        e = assertThrows(BpfException.class, () -> dev.load(new DeviceImage.Dynamic("foreign", ProgramType.XDP, far, List.of(foreign))));
        assertEquals("rfpc-test: foreign: map 0 (m) is not a map on this device but on other", e.getMessage());

        e = assertThrows(BpfException.class, () -> dev.load(new DeviceImage.Dynamic("tc", ProgramType.SCHED_CLS, far, List.of())));
        assertEquals("rfpc-test: rfpc-test runs xdp programs only, not sched_cls", e.getMessage());

        e = assertThrows(BpfException.class, () -> dev.load(new DeviceImage.Dynamic("x86", ProgramType.XDP,
                new RelocatableImage("x86_64", cj, List.of(), new int[] {0}, new int[] {0, 4}), List.of())));
        assertEquals("rfpc-test: image of x86 is x86_64 code, the cores run riscv32", e.getMessage());

        e = assertThrows(BpfException.class, () -> dev.load(new DeviceImage.Static("outside",
                new LinkedImage("riscv32", 0x1000, cj, new int[] {0}, new int[] {0, 4}))));
        assertEquals("rfpc-test: outside is linked for 0x1000..0x1004, outside code memory 0x100000..0x110000", e.getMessage());

        long at = dev.reserveCode(4);
        dev.load(new DeviceImage.Static("first", new LinkedImage("riscv32", at, cj, new int[] {0}, new int[] {0, 4})));
        e = assertThrows(BpfException.class, () -> dev.load(new DeviceImage.Static("overlap",
                new LinkedImage("riscv32", at, cj, new int[] {0}, new int[] {0, 4}))));
        assertEquals(Errno.EBUSY, e.errno());
        assertEquals("rfpc-test code memory: 0x100000..0x100008 is not free", e.getMessage());

        assertEquals("rfpc-test: dynamic image: no RFPD magic",
                assertThrows(BpfException.class, () -> dev.loadDynamic(new byte[32], ProgramType.XDP)).getMessage());
        byte[] good = DynamicImage.encode(new DeviceImage.Dynamic("t", ProgramType.XDP, far, List.of()));
        assertEquals("rfpc-test: dynamic image: truncated at byte 39 of 40",
                assertThrows(BpfException.class, () -> dev.loadDynamic(Arrays.copyOf(good, 40), ProgramType.XDP)).getMessage());
    }
}
