package org.obpf.offload.nfp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.obpf.api.BpfException;
import org.obpf.api.Errno;
import org.obpf.api.insn.Insn;
import org.obpf.api.insn.Opcodes;
import org.obpf.api.jit.CompileOptions;
import org.obpf.api.jit.CompileRequest;
import org.obpf.api.jit.Refusal;
import org.obpf.api.map.BpfMap;
import org.obpf.api.obj.BpfObject;
import org.obpf.api.obj.MapDefinition;
import org.obpf.api.obj.ProgramSpec;
import org.obpf.api.offload.DeviceMap;
import org.obpf.api.offload.OffloadCandidate;
import org.obpf.api.offload.OffloadCheck;
import org.obpf.api.prog.ProgramType;
import org.obpf.api.prog.TestRun;
import org.obpf.core.helper.HelperTable;
import org.obpf.core.map.AbstractBpfMap;
import org.obpf.core.map.MapTable;
import org.obpf.core.prelink.Prelinked;
import org.obpf.core.prelink.Prelinker;
import org.obpf.core.run.TestRunner;
import org.obpf.jit.nfp.NfpJitBackend;
import org.obpf.loader.ElfObjectLoader;

/**
 * Every XDP and tc program of the loader corpus that jit-nfp compiles, offloaded to the simulated
 * NFP in both flows and run on core's interpreter through test_run: the same verdicts and the
 * same packets out for every packet, and the same map contents after (read through the device).
 * Programs the device refuses are listed with its reason. Outcomes: {@code corpus-nfp-device.txt}.
 */
class NfpCorpusTest {
    static BpfObject object(String name) throws Exception {
        try (InputStream in = NfpCorpusTest.class.getClassLoader().getResourceAsStream("corpus/" + name + ".o")) {
            return new ElfObjectLoader().load(name + ".o", in.readAllBytes());
        }
    }

    /** Ethernet + IPv4 (UDP, TCP, ICMP to several ports), IPv6, ARP, and a runt. */
    static List<byte[]> packets() {
        List<byte[]> out = new ArrayList<>();
        for (int proto : new int[] {17, 6, 1}) {
            for (int port : new int[] {53, 4789, 8080}) {
                byte[] p = new byte[64 + port % 7];
                for (int i = 0; i < p.length; i++) p[i] = (byte) (i * 13 + proto);
                p[12] = 0x08; p[13] = 0x00;
                p[14] = 0x45; p[16] = 0; p[17] = 50; p[22] = 64; p[23] = (byte) proto;
                p[26] = 10; p[27] = 0; p[28] = 0; p[29] = (byte) port;
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
        out.add(new byte[14]);
        return out;
    }

    static TreeMap<String, String> dump(BpfMap m) throws BpfException {
        TreeMap<String, String> t = new TreeMap<>();
        byte[] k = null;
        while (true) {
            try {
                k = m.nextKey(k);
            } catch (BpfException e) {
                if (e.errno() == Errno.ENOENT) return t;
                throw e;
            }
            t.put(HexFormat.of().formatHex(k), HexFormat.of().formatHex(m.lookup(k)));
        }
    }

    static TreeMap<String, String> dump(DeviceMap m) throws BpfException {
        TreeMap<String, String> t = new TreeMap<>();
        byte[] k = null;
        while (true) {
            try {
                k = m.nextKey(k);
            } catch (BpfException e) {
                if (e.errno() == Errno.ENOENT) return t;
                throw e;
            }
            t.put(HexFormat.of().formatHex(k), HexFormat.of().formatHex(m.lookup(k)));
        }
    }

    @Test
    void compiledCorpusProgramsGiveTheInterpretersResults() throws Exception {
        String index;
        try (InputStream in = NfpCorpusTest.class.getClassLoader().getResourceAsStream("corpus/index.txt")) {
            index = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
        NfpJitBackend jit = new NfpJitBackend();
        Map<String, String> got = new TreeMap<>();
        for (String line : index.strip().split("\n")) {
            String name = line.strip();
            BpfObject obj = object(name);
            for (ProgramSpec spec : obj.programs()) {
                if (spec.type() != ProgramType.XDP && spec.type() != ProgramType.SCHED_CLS) continue;
                CompileRequest probe = new CompileRequest(spec.name(), spec.type(), spec.insns(), null, null, false, null);
                if (!jit.refusals(probe).isEmpty()) continue; // the back-end's reasons: jit-nfp's corpus-nfp.txt
                StringBuilder sb = new StringBuilder();
                for (NfpDevice.Flow flow : NfpDevice.Flow.values()) {
                    sb.append(flow.name().toLowerCase()).append(": ").append(run(obj, spec, jit, flow)).append("; ");
                }
                got.put(name + "/" + spec.name(), sb.substring(0, sb.length() - 2));
            }
        }
        StringBuilder sb = new StringBuilder();
        got.forEach((k, v) -> sb.append(k).append(": ").append(v).append('\n'));
        String expected;
        try (InputStream in = NfpCorpusTest.class.getClassLoader().getResourceAsStream("corpus-nfp-device.txt")) {
            expected = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(l -> !l.startsWith("#"))
                    .map(l -> l + "\n").reduce("", String::concat);
        }
        String out = System.getProperty("nfp.golden.out");
        if (out != null) java.nio.file.Files.writeString(java.nio.file.Path.of(out), sb.toString());
        assertEquals(expected, sb.toString());
    }

    /** One program in one flow: the outcome line. */
    private String run(BpfObject obj, ProgramSpec spec, NfpJitBackend jit, NfpDevice.Flow flow) throws Exception {
        MapTable table = new MapTable();
        List<AbstractBpfMap> hostMaps = new ArrayList<>();
        for (MapDefinition d : obj.maps()) hostMaps.add(table.get(table.create(d.spec())));
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
        // the interpreter's test_run refuses devmap programs; the reference runs them as plain XDP
        // (jit-nfp compiled them, so they read no egress_ifindex)
        var attach = spec.expectedAttachType().filter(a -> !a.toString().toLowerCase().contains("devmap"));
        Prelinked p = Prelinker.prelink(spec.insns(), spec.type(), resolver, HelperTable.builtins(spec.type()),
                Prelinker.Options.DEFAULT.withExpectedAttachType(attach));
        // the device gets the maps the program names, renumbered in the order it names them
        long[] insns = spec.insns();
        List<Integer> used = new ArrayList<>();
        for (int pc = 0; pc < insns.length; pc++) {
            if (Insn.code(insns[pc]) != 0x18) continue;
            if (Insn.src(insns[pc]) == Opcodes.BPF_PSEUDO_MAP_IDX) {
                int idx = Insn.imm(insns[pc]);
                if (!used.contains(idx)) used.add(idx);
                insns[pc] = Insn.withImm(insns[pc], used.indexOf(idx));
            }
            pc++;
        }
        NfpDevice dev = new NfpDevice("nfp-corpus", 1 << 20);
        dev.addBackend(jit);
        OffloadCheck check = dev.check(new OffloadCandidate(spec.name(), spec.type(), insns,
                used.stream().map(i -> obj.maps().get(i).spec()).toList()));
        if (!check.offloadable()) return "refused: " + String.join("; ", check.reasons().stream().map(Refusal::detail).toList());
        List<DeviceMap> devMaps = new ArrayList<>();
        for (int i : used) devMaps.add(dev.createMap(obj.maps().get(i).spec()));
        CompileRequest req = new CompileRequest(spec.name(), spec.type(), insns, null, null, false, CompileOptions.DEFAULT);
        TestRunner interp = new TestRunner();
        int runs = 0;
        Map<Integer, Integer> verdicts = new TreeMap<>();
        long instructions = 0;
        try (NfpProgram prog = dev.translate(req, devMaps, flow)) {
            for (byte[] packet : packets()) {
                TestRun.Result want;
                try {
                    want = interp.run(p, TestRun.Request.of(packet));
                } catch (BpfException e) {
                    return "no reference: the interpreter's " + e.getMessage();
                }
                var have = prog.testRun(packet, 1);
                String what = spec.name() + " " + flow + " packet of " + packet.length + " bytes " + HexFormat.of().formatHex(packet, 12, Math.min(24, packet.length));
                assertEquals(want.retval(), have.retval(), what + ": verdict");
                assertArrayEquals(want.dataOut(), have.packet(), what + ": packet out");
                verdicts.merge((int) have.retval(), 1, Integer::sum);
                instructions += prog.lastInstructions();
                runs++;
            }
        }
        for (int k = 0; k < used.size(); k++) {
            assertEquals(dump(hostMaps.get(used.get(k))), dump(devMaps.get(k)), spec.name() + ": map " + obj.maps().get(used.get(k)).spec().name());
        }
        return runs + " packets match (verdicts " + verdicts + "), " + used.size() + " maps match, " + instructions / runs + " insns/packet";
    }
}
