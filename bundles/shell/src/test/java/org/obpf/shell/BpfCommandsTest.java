package org.obpf.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.obpf.api.jit.BackendInfo;
import org.obpf.api.jit.Capabilities;
import org.obpf.api.jit.Feature;
import org.obpf.api.jit.JitBackend;
import org.obpf.api.jit.JitRegistry;
import org.obpf.api.jit.NoSuchBackendException;
import org.obpf.api.jit.Refusal;
import org.obpf.api.map.MapType;
import org.obpf.api.offload.DeviceInfo;
import org.obpf.api.offload.MemoryRegion;
import org.obpf.api.offload.OffloadCandidate;
import org.obpf.api.offload.OffloadCheck;
import org.obpf.api.offload.OffloadDevice;
import org.obpf.api.offload.OffloadQuery;
import org.obpf.api.prog.ProgramType;

class BpfCommandsTest {
    /** A registry holding descriptions only: the commands read nothing else. */
    record Registry(List<BackendInfo> backends) implements JitRegistry {
        @Override
        public JitBackend backend(String arch) throws NoSuchBackendException {
            throw new NoSuchBackendException(arch, archs());
        }

        @Override
        public Optional<JitBackend> find(String arch) {
            return Optional.empty();
        }

        @Override
        public SortedSet<String> archs() {
            return new TreeSet<>(backends.stream().map(BackendInfo::arch).toList());
        }
    }

    /** One device whose check refuses helper calls other than 1. */
    record Query(DeviceInfo info) implements OffloadQuery {
        @Override
        public List<DeviceInfo> devices() {
            return List.of(info);
        }

        @Override
        public Optional<OffloadDevice> device(String name) {
            return Optional.empty();
        }

        @Override
        public OffloadCheck check(String device, OffloadCandidate c) {
            if (!device.equals(info.name())) {
                return new OffloadCheck(device, List.of(new Refusal(Refusal.Kind.NO_DEVICE, -1, "no offload device '" + device + "'")));
            }
            return new OffloadCheck(device, c.insns().length > 2
                    ? List.of(new Refusal(Refusal.Kind.SIZE, -1, "program has " + c.insns().length + " instructions, nic0 takes 2"))
                    : List.of());
        }
    }

    private final BpfCommands cmd = new BpfCommands();

    @BeforeEach
    void wire() {
        Capabilities small = new Capabilities(EnumSet.complementOf(EnumSet.of(Feature.SDIV, Feature.KFUNC_CALL)),
                EnumSet.of(ProgramType.XDP), false, Set.of(1, 2), 4096);
        cmd.jits = new Registry(List.of(
                new BackendInfo("nfp", "org.obpf.jit.nfp", "0.1.0", 31, 0, true, small),
                new BackendInfo("x86_64", "org.obpf.jit.x86_64", "0.1.0", 30, 5, false, Capabilities.everything())));
        cmd.offload = new Query(new DeviceInfo("nic0", "nfp",
                List.of(new MemoryRegion("local", MemoryRegion.Kind.LOCAL, 0x1000, 0x400)), Map.of(1, 0x80L),
                EnumSet.of(MapType.ARRAY), EnumSet.of(ProgramType.XDP), 4096, true, false));
    }

    @Test
    void backendListIsATable() {
        assertEquals("""
                ARCH    BUNDLE               VERSION  SERVICE  RANKING  ZEXT  HELPERS  NOT SUPPORTED
                nfp     org.obpf.jit.nfp     0.1.0    31       0        yes   2 ids    kfunc_call,sdiv
                x86_64  org.obpf.jit.x86_64  0.1.0    30       5        no    any      -
                """, cmd.backend());
        assertEquals(cmd.backend(), cmd.backend("list"));
    }

    @Test
    void backendJson() {
        String json = cmd.backend("list", "--json");
        assertTrue(json.startsWith("[{\"arch\":\"nfp\",\"bundle\":\"org.obpf.jit.nfp\",\"version\":\"0.1.0\",\"service\":31,"
                + "\"ranking\":0,\"needs_zext\":true,\"features\":[\"alu32\","), json);
        assertTrue(json.contains("\"helpers\":[1,2],\"program_types\":[\"xdp\"],\"max_insns\":4096}"), json);
        assertTrue(json.endsWith("\"max_insns\":0}]"), json);
    }

    @Test
    void backendShowAndItsErrors() {
        String nfp = cmd.backend("show", "nfp");
        assertTrue(nfp.contains("not supported: kfunc_call, sdiv\n"), nfp);
        assertTrue(nfp.contains("helpers:       [1, 2]\n"), nfp);
        assertTrue(nfp.contains("program types: xdp\n"), nfp);
        assertEquals("backend show: no JIT back-end for arch 'riscv64' is installed (installed: nfp, x86_64); "
                + "install its feature or bundle, e.g. feature:install obpf-jit-riscv64",
                assertThrows(ShellException.class, () -> cmd.backend("show", "riscv64")).toString());
        assertEquals("backend show: missing ARCH", assertThrows(ShellException.class, () -> cmd.backend("show")).getMessage());
        assertEquals("backend: unknown subcommand 'frob' (list, show)",
                assertThrows(ShellException.class, () -> cmd.backend("frob")).getMessage());
        assertEquals("backend: unknown option --yaml", assertThrows(ShellException.class, () -> cmd.backend("list", "--yaml")).getMessage());
        cmd.jits = null;
        assertEquals("backend: the OBPF core is not running (feature:install obpf-core)",
                assertThrows(ShellException.class, () -> cmd.backend()).getMessage());
    }

    @Test
    void offloadListAndQuery(@TempDir Path dir) throws Exception {
        assertEquals("""
                DEVICE  ARCH  BACK-END  CODE    FLOWS   REGIONS  HELPERS
                nic0    nfp   missing   4096 B  static  1        1
                """, cmd.offload(null));
        Path small = Files.writeString(dir.resolve("small.s"), "mov %r0, 2\nexit\n");
        Path big = Files.writeString(dir.resolve("big.s"), "mov %r0, 2\nmov %r0, 3\nexit\n");
        assertEquals("nic0: can offload small.s\n", cmd.offload(null, "query", "nic0", small.toString()));
        assertEquals("nic0: cannot offload big.s:\n  program has 3 instructions, nic0 takes 2\n",
                cmd.offload(null, "query", "nic0", big.toString(), "--type", "xdp"));
        assertEquals("{\"device\":\"nic0\",\"offloadable\":false,\"reasons\":[{\"kind\":\"size\",\"insn\":-1,"
                + "\"detail\":\"program has 3 instructions, nic0 takes 2\"}]}",
                cmd.offload(null, "query", "nic0", big.toString(), "--json"));
        assertEquals("unknown program type 'xpd' (e.g. xdp, socket_filter, sched_cls, tracepoint, flat)",
                assertThrows(ShellException.class, () -> cmd.offload(null, "query", "nic0", small.toString(), "--type", "xpd")).getMessage());
        assertEquals("no such file: " + dir.resolve("nope.s"),
                assertThrows(ShellException.class, () -> cmd.offload(null, "query", "nic0", dir.resolve("nope.s").toString())).getMessage());
    }

    @Test
    void asmAndDisasmRoundTrip(@TempDir Path dir) throws Exception {
        Path src = Files.writeString(dir.resolve("p.s"), "lddw %r1, 0x123456789\nmov32 %r0, 1\njeq %r0, 1, +1\nadd %r0, %r1\nexit\n");
        assertEquals("""
                1801000089674523
                0000000001000000
                b400000001000000
                1500010001000000
                0f10000000000000
                9500000000000000
                """, cmd.asm(null, src.toString()));
        Path bin = dir.resolve("p.bin");
        assertEquals("6 instructions written to " + bin + "\n", cmd.asm(null, src.toString(), "-o", bin.toString()));
        assertEquals(48, Files.size(bin));
        String listing = cmd.disasm(null, bin.toString());
        assertEquals("""
                       0:\tr1 = 4886718345 ll
                       2:\tw0 = 1
                       3:\tif r0 == 1 goto +1
                       4:\tr0 += r1
                       5:\texit
                """, listing);
        Path hex = Files.writeString(dir.resolve("p.hex"), cmd.asm(null, src.toString()));
        assertEquals(listing, cmd.disasm(null, hex.toString()));
        assertEquals("[{\"insn\":0,\"text\":\"r1 = 4886718345 ll\"},{\"insn\":2,\"text\":\"w0 = 1\"},"
                + "{\"insn\":3,\"text\":\"if r0 == 1 goto +1\"},{\"insn\":4,\"text\":\"r0 += r1\"},{\"insn\":5,\"text\":\"exit\"}]",
                cmd.disasm(null, bin.toString(), "--json"));
    }

    @Test
    void badProgramsAreNamed(@TempDir Path dir) throws Exception {
        Path odd = Files.write(dir.resolve("odd.bin"), new byte[] {(byte) 0x95, 0, 0, 0, 0, 0, 0, 0, 1});
        assertEquals(odd + ": 9 bytes is not a whole number of 8-byte instructions",
                assertThrows(ShellException.class, () -> cmd.disasm(null, odd.toString())).getMessage());
        Path bad = Files.writeString(dir.resolve("bad.hex"), "ff00000000000000 9500000000000000");
        assertEquals(bad + ": insn 0: unknown opcode ff",
                assertThrows(ShellException.class, () -> cmd.disasm(null, bad.toString())).getMessage());
        Path syntax = Files.writeString(dir.resolve("bad.s"), "mov %r0, 1\nfrobnicate %r1\nexit\n");
        String msg = assertThrows(ShellException.class, () -> cmd.asm(null, syntax.toString())).getMessage();
        assertTrue(msg.startsWith(syntax + ": ") && msg.contains("frobnicate"), msg);
        assertEquals("asm: p.bin is not assembly text (.s or .asm)",
                assertThrows(ShellException.class, () -> cmd.asm(null, dir.resolve("p.bin").toString())).getMessage());
    }
}
