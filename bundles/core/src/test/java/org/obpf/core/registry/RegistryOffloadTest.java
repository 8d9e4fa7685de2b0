package org.obpf.core.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.obpf.api.insn.Opcodes.BPF_PSEUDO_MAP_IDX;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.obpf.api.BpfException;
import org.obpf.api.Errno;
import org.obpf.api.insn.Insn;
import org.obpf.api.insn.InsnKind;
import org.obpf.api.jit.Capabilities;
import org.obpf.api.jit.CompileRequest;
import org.obpf.api.jit.JitBackend;
import org.obpf.api.jit.LinkedImage;
import org.obpf.api.jit.Refusal;
import org.obpf.api.jit.RelocatableImage;
import org.obpf.api.jit.SymbolTable;
import org.obpf.api.map.BpfMap;
import org.obpf.api.map.MapSpec;
import org.obpf.api.map.MapType;
import org.obpf.api.offload.DeviceImage;
import org.obpf.api.offload.DeviceInfo;
import org.obpf.api.offload.DeviceMap;
import org.obpf.api.offload.DeviceProgram;
import org.obpf.api.offload.OffloadCandidate;
import org.obpf.api.offload.OffloadCheck;
import org.obpf.api.offload.OffloadDevice;
import org.obpf.api.prog.ProgramType;
import org.obpf.api.prog.TestRun;
import org.obpf.api.registry.LoadOptions;
import org.obpf.api.registry.ProgramInfo;

/**
 * Programs and maps bound to an offload device at load, with a device double (the real RFPC
 * device depends on core, so it is tested in the itests): what the registry sends the device,
 * how host map operations reach it, the refusals and the orphaning when the device leaves.
 */
class RegistryOffloadTest {
    /** A back-end whose "machine code" is the BPF slots it is given, little-endian. */
    record SlotsBackend(String arch) implements JitBackend {
        @Override
        public boolean needsZext() {
            return false;
        }

        @Override
        public Capabilities capabilities() {
            return Capabilities.everything();
        }

        @Override
        public RelocatableImage compile(CompileRequest r) {
            ByteBuffer b = ByteBuffer.allocate(r.insns().length * 8).order(ByteOrder.LITTLE_ENDIAN);
            for (long w : r.insns()) b.putLong(w);
            return new RelocatableImage(arch, b.array(), List.of(), new int[] {0}, new int[0]);
        }

        @Override
        public LinkedImage link(RelocatableImage image, SymbolTable symbols) {
            throw new IllegalStateException("the registry offloads by the dynamic flow");
        }
    }

    /** A map in the double's memory: hex keys in order. */
    static final class Dmap implements DeviceMap {
        final MapSpec spec;
        final TreeMap<String, byte[]> data = new TreeMap<>();
        boolean closed;

        Dmap(MapSpec spec) {
            this.spec = spec;
        }

        @Override
        public MapSpec spec() {
            return spec;
        }

        @Override
        public long deviceAddress() {
            return 0x1000;
        }

        @Override
        public byte[] lookup(byte[] key) throws BpfException {
            byte[] v = data.get(HexFormat.of().formatHex(key));
            if (v == null) throw new BpfException(Errno.ENOENT, "no such key");
            return v.clone();
        }

        @Override
        public void update(byte[] key, byte[] value, long flags) {
            data.put(HexFormat.of().formatHex(key), value.clone());
        }

        @Override
        public void delete(byte[] key) throws BpfException {
            if (data.remove(HexFormat.of().formatHex(key)) == null) throw new BpfException(Errno.ENOENT, "no such key");
        }

        @Override
        public byte[] nextKey(byte[] key) throws BpfException {
            String k = key == null ? data.isEmpty() ? null : data.firstKey() : data.higherKey(HexFormat.of().formatHex(key));
            if (k == null) throw new BpfException(Errno.ENOENT, "last key");
            return HexFormat.of().parseHex(k);
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    /**
     * The device double: it keeps what it is sent; a run answers the program's slot count as
     * verdict and the packet reversed, and counts itself in its first map's key 0.
     */
    static final class Device implements OffloadDevice {
        final String name;
        final List<Refusal> refuse = new ArrayList<>();
        final List<Dmap> maps = new ArrayList<>();
        final List<DeviceImage.Dynamic> images = new ArrayList<>();
        int closedPrograms;

        Device(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String arch() {
            return "slots";
        }

        @Override
        public DeviceInfo info() {
            return new DeviceInfo(name, "slots", List.of(), Map.of(), Set.of(MapType.ARRAY, MapType.HASH), Set.of(ProgramType.XDP),
                    65536, false, true);
        }

        @Override
        public OffloadCheck check(OffloadCandidate c) {
            return new OffloadCheck(name, refuse);
        }

        @Override
        public DeviceMap createMap(MapSpec spec) {
            Dmap m = new Dmap(spec);
            maps.add(m);
            return m;
        }

        @Override
        public DeviceProgram load(DeviceImage image) {
            DeviceImage.Dynamic d = (DeviceImage.Dynamic) image;
            images.add(d);
            return new DeviceProgram() {
                @Override
                public String name() {
                    return d.name();
                }

                @Override
                public long loadAddress() {
                    return 0x100;
                }

                @Override
                public int size() {
                    return d.image().code().length;
                }

                @Override
                public DeviceRun testRun(byte[] packet, int repeat) throws BpfException {
                    byte[] out = new byte[packet.length];
                    for (int i = 0; i < out.length; i++) out[i] = packet[packet.length - 1 - i];
                    DeviceMap m = d.maps().get(0);
                    byte[] k = new byte[m.spec().keySize()];
                    byte[] v = m.lookup(k);
                    v[0] += (byte) repeat;
                    m.update(k, v, 0);
                    return new DeviceRun(d.image().code().length / 8, out, 0, 42);
                }

                @Override
                public void close() {
                    closedPrograms++;
                }
            };
        }
    }

    private final Registry reg = new Registry();
    private final Device dev = new Device("dev0");

    RegistryOffloadTest() {
        reg.addBackend(new SlotsBackend("slots"), "slots", 7, 0);
        reg.addDevice(dev);
    }

    private ProgramInfo loadCount(String device) throws Exception {
        List<ProgramInfo> l = reg.load(RegistryTest.corpus("xdp_count_array"), LoadOptions.DEFAULT.withDevice(device));
        assertEquals(1, l.size());
        return l.get(0);
    }

    @Test
    void theDeviceGetsMapSymbolsItsOwnMapsAndRunsTheProgram() throws Exception {
        ProgramInfo p = loadCount("dev0");
        assertEquals("dev0", p.engine());
        assertEquals("offloaded to dev0 (dynamic)", p.state());
        assertEquals(1, dev.images.size());
        DeviceImage.Dynamic img = dev.images.get(0);
        assertEquals(2, dev.maps.size());
        assertEquals(2, img.maps().size());
        assertTrue(dev.maps.containsAll(img.maps()));
        // lddw of a map: a map symbol by index, never a host address
        ByteBuffer code = ByteBuffer.wrap(img.image().code()).order(ByteOrder.LITTLE_ENDIAN);
        int lddw = 0;
        for (int pc = 0; pc < code.capacity() / 8; pc++) {
            long w = code.getLong(pc * 8);
            if (InsnKind.of(w) == InsnKind.LD_IMM64) {
                assertEquals(BPF_PSEUDO_MAP_IDX, Insn.src(w), "insn " + pc);
                assertEquals(0, Insn.imm(code.getLong(pc * 8 + 8)));
                lddw++;
                pc++;
            }
        }
        assertEquals(2, lddw);

        TestRun.Result r = reg.testRun(p.id(), new TestRun.Request(new byte[] {1, 2, 3}, 64, null, 0, 3));
        assertEquals(code.capacity() / 8, r.retval());
        assertArrayEquals(new byte[] {3, 2, 1}, r.dataOut());
        assertEquals(42, r.durationNs());
        assertEquals(3, reg.program(p.id()).runs());

        // host-side map operations go through the device
        BpfMap m = reg.map(p.mapIds().get(0));
        Dmap dm = (Dmap) img.maps().get(0);
        assertEquals(3, m.lookup(new byte[4])[0]);
        m.update(new byte[4], new byte[dm.spec.valueSize()], BpfMap.BPF_ANY);
        assertEquals(0, dm.data.get("00000000")[0]);
        assertEquals("prog " + p.id() + " is offloaded to dev0 and runs there only", assertThrows(BpfException.class,
                () -> reg.testRun(p.id(), "interp", TestRun.Request.of(new byte[14]))).getMessage());

        reg.unload(p.id());
        assertEquals(1, dev.closedPrograms);
        assertTrue(dev.maps.stream().allMatch(x -> x.closed), "the device maps are freed with the program");
    }

    @Test
    void unknownDeviceAndEveryReasonOfARefusalFailOnOneLine() throws Exception {
        BpfException e = assertThrows(BpfException.class, () -> loadCount("nope"));
        assertEquals(Errno.ENODEV, e.errno());
        assertEquals("no offload device 'nope' (devices: dev0)", e.getMessage());

        dev.refuse.add(new Refusal(Refusal.Kind.SIZE, -1, "program too large"));
        dev.refuse.add(new Refusal(Refusal.Kind.HELPER, 7, "insn 7: helper 1 has no firmware routine"));
        e = assertThrows(BpfException.class, () -> loadCount("dev0"));
        assertEquals(Errno.EINVAL, e.errno());
        assertEquals("prog xdp_count_array cannot be offloaded to dev0: program too large; insn 7: helper 1 has no firmware routine",
                e.getMessage());
        assertTrue(dev.images.isEmpty());
        assertTrue(dev.maps.stream().allMatch(x -> x.closed), "a refused load leaves nothing on the device");
        assertEquals(List.of(), reg.programs());
        assertEquals(List.of(), reg.maps());

        e = assertThrows(BpfException.class, () -> reg.loadRaw("r", ProgramType.XDP, new long[] {0xb7L, 0x95L}, List.of(),
                LoadOptions.DEFAULT.withDevice("dev0")));
        assertEquals("offload to dev0 takes an object: its maps are created on the device at load", e.getMessage());
    }

    @Test
    void aDepartedDeviceOrphansItsProgramsAndMapsForGood() throws Exception {
        ProgramInfo p = loadCount("dev0");
        int host = reg.createMap(new MapSpec("host", MapType.ARRAY, 4, 8, 1, 0), "/sys/fs/bpf/host").id();
        reg.removeDevice(dev);
        String gone = "device dev0 gone (orphaned: stays gone if it returns)";
        assertEquals(gone, reg.program(p.id()).state());
        BpfException e = assertThrows(BpfException.class, () -> reg.testRun(p.id(), TestRun.Request.of(new byte[14])));
        assertEquals(Errno.ENODEV, e.errno());
        assertEquals("prog " + p.id() + ": " + gone, e.getMessage());
        int mid = p.mapIds().get(0);
        e = assertThrows(BpfException.class, () -> reg.map(mid).lookup(new byte[4]));
        assertEquals("map " + mid + ": " + gone, e.getMessage());
        assertThrows(BpfException.class, () -> reg.map(mid).nextKey(null));
        assertEquals(8, reg.map(host).lookup(new byte[4]).length, "a host map is not bound to the device");

        reg.addDevice(dev); // back: the kernel does not re-bind orphans
        e = assertThrows(BpfException.class, () -> reg.testRun(p.id(), TestRun.Request.of(new byte[14])));
        assertEquals("prog " + p.id() + ": " + gone, e.getMessage());
        reg.unload(p.id());
        assertEquals(0, dev.closedPrograms, "the device's memory went with it; nothing is closed on the new one");
        assertEquals("offloaded to dev0 (dynamic)", loadCount("dev0").state());
    }
}
