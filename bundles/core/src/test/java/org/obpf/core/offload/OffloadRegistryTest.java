package org.obpf.core.offload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.obpf.api.BpfException;
import org.obpf.api.Errno;
import org.obpf.api.insn.Insn;
import org.obpf.api.jit.Refusal;
import org.obpf.api.map.MapSpec;
import org.obpf.api.map.MapType;
import org.obpf.api.offload.DeviceImage;
import org.obpf.api.offload.DeviceInfo;
import org.obpf.api.offload.DeviceMap;
import org.obpf.api.offload.DeviceProgram;
import org.obpf.api.offload.MemoryRegion;
import org.obpf.api.offload.OffloadCandidate;
import org.obpf.api.offload.OffloadCheck;
import org.obpf.api.offload.OffloadDevice;
import org.obpf.api.prog.ProgramType;
import org.obpf.core.jit.JitDispatcherAccess;
import org.obpf.core.jit.TestBackend;
import org.junit.jupiter.api.Test;

class OffloadRegistryTest {

    /** A device description with a check of its own (code size); it loads nothing. */
    record Nic(String name, String arch) implements OffloadDevice {
        @Override
        public DeviceInfo info() {
            return new DeviceInfo(name, arch, List.of(new MemoryRegion("local", MemoryRegion.Kind.LOCAL, 0x1000, 0x1000)),
                    Map.of(1, 0x100L), EnumSet.of(MapType.ARRAY, MapType.HASH), EnumSet.of(ProgramType.XDP), 64, true, true);
        }

        @Override
        public OffloadCheck check(OffloadCandidate c) {
            return new OffloadCheck(name, c.insns().length * 4 > info().codeBytes()
                    ? List.of(new Refusal(Refusal.Kind.SIZE, -1, "needs " + c.insns().length * 4 + " bytes of code memory, "
                            + name + " has " + info().codeBytes()))
                    : List.of());
        }

        @Override
        public DeviceMap createMap(MapSpec spec) throws BpfException {
            throw new BpfException(Errno.EOPNOTSUPP, "test device holds no maps");
        }

        @Override
        public DeviceProgram load(DeviceImage image) throws BpfException {
            throw new BpfException(Errno.EOPNOTSUPP, "test device loads no programs");
        }
    }

    private static final long EXIT = Insn.encode(0x95, 0, 0, 0, 0);
    private static final long MOV_R0_0 = Insn.encode(0xb7, 0, 0, 0, 0);

    private final JitDispatcherAccess jits = new JitDispatcherAccess();
    private final OffloadRegistry reg = new OffloadRegistry(jits.dispatcher());

    private void addNic(String name) {
        Nic n = new Nic(name, "riscv32");
        reg.addDevice(n, Map.of(OffloadDevice.DEV, name, OffloadDevice.ARCH, "riscv32"));
    }

    @Test
    void unknownDeviceIsOneReasonListingTheDevices() {
        addNic("nic0");
        OffloadCheck c = reg.check("nic9", new OffloadCandidate("p", ProgramType.XDP, new long[] {MOV_R0_0, EXIT}, List.of()));
        assertEquals(List.of("no offload device 'nic9' (devices: nic0)"), c.reasons().stream().map(Refusal::detail).toList());
    }

    @Test
    void missingBackendForTheDeviceArchIsAReason() {
        addNic("nic0");
        OffloadCheck c = reg.check("nic0", new OffloadCandidate("p", ProgramType.XDP, new long[] {MOV_R0_0, EXIT}, List.of()));
        assertEquals(1, c.reasons().size());
        assertEquals(Refusal.Kind.NO_BACKEND, c.reasons().get(0).kind());
        assertEquals("device nic0 runs riscv32 code but no riscv32 back-end is installed (installed: none)", c.reasons().get(0).detail());
    }

    @Test
    void everyReasonIsGivenOnce() {
        addNic("nic0");
        jits.add(TestBackend.small("riscv32"));
        long[] prog = {
            Insn.encode(0x37, 0, 0, 1, 3),  // sdiv r0, 3 (v4): not supported
            Insn.encode(0x85, 0, 0, 0, 7),  // call get_prandom_u32: no firmware routine, not in back-end helpers
            Insn.encode(0x85, 0, 0, 0, 1),  // call map_lookup_elem: fine
            MOV_R0_0, EXIT,
        };
        OffloadCheck c = reg.check("nic0", new OffloadCandidate("p", ProgramType.SCHED_CLS, prog,
                List.of(new MapSpec("ring", MapType.RINGBUF, 0, 0, 4096, 0))));
        assertEquals(List.of(
                "program type sched_cls is not supported by riscv32",
                "insn 0: signed division and modulo (cpu v4) not supported by riscv32",
                "insn 1: helper 7 is not available on riscv32",
                "device nic0 does not run sched_cls programs",
                "map 0 (ring): ringbuf maps cannot live on device nic0",
                "insn 1: helper 7 has no firmware routine on device nic0"),
                c.reasons().stream().map(Refusal::detail).toList());
        assertTrue(!c.offloadable());
    }

    @Test
    void deviceOwnReasonsAreIncluded() {
        addNic("nic0");
        jits.add(TestBackend.small("riscv32"));
        long[] prog = new long[17];
        for (int i = 0; i < 16; i++) prog[i] = MOV_R0_0;
        prog[16] = EXIT;
        OffloadCheck c = reg.check("nic0", new OffloadCandidate("p", ProgramType.XDP, prog, List.of()));
        assertEquals(List.of("program has 17 instructions, riscv32 takes at most 16",
                "needs 68 bytes of code memory, nic0 has 64"), c.reasons().stream().map(Refusal::detail).toList());
    }

    @Test
    void offloadableProgramHasNoReasons() {
        addNic("nic0");
        jits.add(TestBackend.small("riscv32"));
        OffloadCheck c = reg.check("nic0", new OffloadCandidate("p", ProgramType.XDP,
                new long[] {Insn.encode(0x85, 0, 0, 0, 1), MOV_R0_0, EXIT}, List.of(new MapSpec("m", MapType.HASH, 4, 8, 16, 0))));
        assertTrue(c.offloadable(), c.toString());
        assertEquals(Set.of("nic0"), Set.of(reg.devices().get(0).name()));
    }

    @Test
    void deviceWhoseNamePropertyDisagreesIsIgnoredAndDeparturesAreTracked() {
        reg.addDevice(new Nic("nic1", "riscv32"), Map.of(OffloadDevice.DEV, "other"));
        assertTrue(reg.devices().isEmpty());
        addNic("nic0");
        Nic again = new Nic("nic0", "riscv32");
        reg.addDevice(again, Map.of(OffloadDevice.DEV, "nic0")); // duplicate name: ignored
        assertEquals(1, reg.devices().size());
        reg.removeDevice(again, Map.of());
        assertEquals(1, reg.devices().size(), "removing the ignored duplicate keeps the original");
        reg.removeDevice(reg.device("nic0").orElseThrow(), Map.of());
        assertTrue(reg.devices().isEmpty());
    }
}
