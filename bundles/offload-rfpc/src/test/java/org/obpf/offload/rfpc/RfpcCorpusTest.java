package org.obpf.offload.rfpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.obpf.api.BpfException;
import org.obpf.api.Errno;
import org.obpf.api.insn.Insn;
import org.obpf.api.insn.InsnKind;
import org.obpf.api.jit.CompileOptions;
import org.obpf.api.jit.CompileRequest;
import org.obpf.api.map.BpfMap;
import org.obpf.api.obj.BpfObject;
import org.obpf.api.obj.MapDefinition;
import org.obpf.api.obj.ProgramSpec;
import org.obpf.api.offload.DeviceMap;
import org.obpf.api.offload.DeviceProgram;
import org.obpf.api.offload.OffloadCandidate;
import org.obpf.api.offload.OffloadCheck;
import org.obpf.api.prog.TestRun;
import org.obpf.core.helper.HelperTable;
import org.obpf.core.map.AbstractBpfMap;
import org.obpf.core.map.MapTable;
import org.obpf.core.offload.DeviceInsns;
import org.obpf.core.prelink.Prelinked;
import org.obpf.core.prelink.Prelinker;
import org.obpf.core.run.TestRunner;
import org.obpf.jit.riscv.Rv32JitBackend;
import org.obpf.loader.ElfObjectLoader;

/**
 * The loader corpus's XDP programs with array and hash maps, offloaded in both flows (loader,
 * core's prelink, jit-riscv's riscv32 back-end, the device) and on core's interpreter through
 * test_run: the same verdicts, the same packets out and the same map contents, read on the device
 * side through the device. The counters ({@code __sync_fetch_and_add}) are calls to the device's
 * firmware atomic routines (RV32IMC has no A extension); the maps must have changed where the
 * interpreter's did.
 */
class RfpcCorpusTest {
    static BpfObject object(String name) throws Exception {
        try (InputStream in = RfpcCorpusTest.class.getClassLoader().getResourceAsStream("corpus/" + name + ".o")) {
            if (in == null) throw new IllegalStateException("corpus/" + name + ".o is not on the class path");
            return new ElfObjectLoader().load(name + ".o", in.readAllBytes());
        }
    }

    /** Ethernet + IPv4 + UDP/TCP, or IPv6, or ARP: the inputs every program gets. */
    static List<byte[]> packets() {
        List<byte[]> out = new ArrayList<>();
        for (int proto : new int[] {17, 6, 1}) {
            for (int port : new int[] {53, 4789, 8080}) {
                byte[] p = new byte[64];
                for (int i = 0; i < p.length; i++) p[i] = (byte) (i * 13 + proto);
                p[12] = 0x08; p[13] = 0x00; // IPv4
                p[14] = 0x45; p[16] = 0; p[17] = 50; p[22] = 64; p[23] = (byte) proto;
                p[26] = 10; p[27] = 0; p[28] = 0; p[29] = (byte) port; // saddr 10.0.0.x
                p[34] = (byte) (port >> 8); p[35] = (byte) port; p[36] = (byte) (port >> 8); p[37] = (byte) port;
                out.add(p);
            }
        }
        byte[] v6 = new byte[78];
        v6[12] = (byte) 0x86; v6[13] = (byte) 0xdd; v6[14] = 0x60; v6[20] = 17;
        out.add(v6);
        byte[] arp = new byte[42];
        arp[12] = 0x08; arp[13] = 0x06;
        out.add(arp);
        return out;
    }

    static TreeMap<String, String> dump(BpfMap m) throws BpfException {
        TreeMap<String, String> t = new TreeMap<>();
        HexFormat h = HexFormat.of();
        byte[] k = null;
        while (true) {
            try {
                k = m.nextKey(k);
            } catch (BpfException e) {
                if (e.errno() == Errno.ENOENT) return t;
                throw e;
            }
            t.put(h.formatHex(k), h.formatHex(m.lookup(k)));
        }
    }

    static TreeMap<String, String> dump(DeviceMap m) throws BpfException {
        TreeMap<String, String> t = new TreeMap<>();
        HexFormat h = HexFormat.of();
        byte[] k = null;
        while (true) {
            try {
                k = m.nextKey(k);
            } catch (BpfException e) {
                if (e.errno() == Errno.ENOENT) return t;
                throw e;
            }
            t.put(h.formatHex(k), h.formatHex(m.lookup(k)));
        }
    }

    @ParameterizedTest(name = "{0} {1}: {2}")
    @CsvSource({"xdp_parse_udp, STATIC, 0", "xdp_parse_udp, DYNAMIC, 0",
            "xdp_count_array, STATIC, 2", "xdp_count_array, DYNAMIC, 2", "hash_counter, STATIC, 1",
            "hash_counter, DYNAMIC, 1", "global_data, STATIC, 2", "global_data, DYNAMIC, 2"})
    void offloadedGivesTheInterpretersResults(String name, RfpcDevice.Flow flow, int mapsChanged) throws Exception {
        BpfObject obj = object(name);
        MapTable table = new MapTable();
        List<AbstractBpfMap> hostMaps = new ArrayList<>();
        for (MapDefinition d : obj.maps()) {
            AbstractBpfMap m = table.get(table.create(d.spec()));
            if (d.kind().globalData() && d.initialValue().length > 0) m.update(new byte[4], d.initialValue(), BpfMap.BPF_ANY);
            hostMaps.add(m);
        }
        Prelinker.MapResolver resolver = new Prelinker.MapResolver() {
            @Override
            public AbstractBpfMap byFd(int fd) throws BpfException {
                return table.get(fd);
            }

            @Override
            public AbstractBpfMap byIndex(int idx) {
                return hostMaps.get(idx);
            }
        };
        RfpcDevice dev = new RfpcDevice(RfpcConfig.small("rfpc-corpus"));
        dev.addBackend(new Rv32JitBackend());
        TestRunner interp = new TestRunner();
        int runs = 0, changed = 0;
        for (ProgramSpec spec : obj.programs()) {
            Prelinked p = Prelinker.prelink(spec.insns(), spec.type(), resolver, HelperTable.builtins(spec.type()),
                    // As the kernel for an offloaded program: no map_gen_lookup (it would inline host addresses).
                    new Prelinker.Options(false).withExpectedAttachType(spec.expectedAttachType()));
            // The device's maps: the same specs, the same initial contents, in the program's map order.
            List<DeviceMap> devMaps = new ArrayList<>();
            for (AbstractBpfMap hm : p.maps()) {
                DeviceMap dm = dev.createMap(hm.spec());
                for (var e : dump(hm).entrySet()) dm.update(HexFormat.of().parseHex(e.getKey()), HexFormat.of().parseHex(e.getValue()), 0);
                devMaps.add(dm);
            }
            CompileRequest req = new CompileRequest(spec.name(), spec.type(), DeviceInsns.of(p), p.subprogs(), null, false, CompileOptions.DEFAULT);
            OffloadCheck check = dev.check(new OffloadCandidate(spec.name(), spec.type(), req.insns(), devMaps.stream().map(DeviceMap::spec).toList()));
            assertEquals(List.of(), check.reasons());
            List<TreeMap<String, String>> before = new ArrayList<>();
            for (DeviceMap dm : devMaps) before.add(dump(dm));
            try (DeviceProgram prog = dev.translate(req, devMaps, flow)) {
                for (byte[] packet : packets()) {
                    TestRun.Result want = interp.run(p, TestRun.Request.of(packet));
                    DeviceProgram.DeviceRun got = prog.testRun(packet, 1);
                    String what = name + "/" + spec.name() + " " + flow + " packet " + HexFormat.of().formatHex(packet, 12, 24);
                    assertEquals(want.retval(), got.retval(), what + ": verdict");
                    assertArrayEquals(want.dataOut(), got.packet(), what + ": packet out");
                    runs++;
                }
            }
            for (int i = 0; i < p.maps().size(); i++) {
                assertEquals(dump(p.maps().get(i)), dump(devMaps.get(i)), name + ": map " + p.maps().get(i).spec().name());
                if (!before.get(i).equals(dump(devMaps.get(i)))) changed++;
            }
        }
        assertTrue(runs >= packets().size(), name + ": ran " + runs);
        assertEquals(mapsChanged, changed, name + ": maps the runs changed");
    }
}
