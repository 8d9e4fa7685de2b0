package org.obpf.offload.rfpc.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.obpf.offload.rfpc.testing.Cross;
import org.obpf.offload.rfpc.testing.Elf32;
import org.obpf.offload.rfpc.testing.LinuxUser;

/**
 * The simulator against qemu-riscv32: the same RV32IMC executables give the same output (every
 * intermediate result the programs write), the same exit code and the same final registers.
 * Programs: every RV32I form, every RV32C form, M edge cases, compiled C, and random
 * instruction mixes generated from fixed seeds.
 */
class QemuCrossCheckTest {
    @TempDir
    Path dir;

    static Stream<Arguments> programs() {
        List<Arguments> a = new ArrayList<>();
        a.add(Arguments.of("rv32i", List.of("rv32i.S"), new String[0]));
        a.add(Arguments.of("rvc", List.of("rvc.S"), new String[0]));
        a.add(Arguments.of("m_edge", List.of("m_edge.S"), new String[0]));
        a.add(Arguments.of("programs-O2", List.of("crt.S", "programs.c"), new String[] {"-O2"}));
        a.add(Arguments.of("programs-Os", List.of("crt.S", "programs.c"), new String[] {"-Os"}));
        a.add(Arguments.of("programs-O0", List.of("crt.S", "programs.c"), new String[] {"-O0"}));
        for (int seed = 1; seed <= 24; seed++) a.add(Arguments.of("random-" + seed, List.of("random"), new String[0]));
        return a.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("programs")
    void sameAsQemu(String name, List<String> sources, String[] flags) throws Exception {
        Cross.gcc();
        Cross.qemu();
        List<Path> paths = new ArrayList<>();
        copy("rt.h");
        for (String s : sources) {
            if (s.equals("random")) {
                Path p = dir.resolve(name + ".S");
                Files.writeString(p, RandomProgram.generate(Long.parseLong(name.substring(7)), 400));
                paths.add(p);
            } else {
                paths.add(copy(s));
            }
        }
        List<String> f = new ArrayList<>(List.of(flags));
        f.add("-I" + dir);
        Path exe = Cross.build(dir, name, paths, f.toArray(String[]::new));

        Cross.Outcome ref = Cross.qemu(exe);
        LinuxUser sim = new LinuxUser(Elf32.read(exe));
        int exit = sim.run(100_000_000L);

        assertTrue(ref.stdout().length >= 128, name + ": qemu wrote only " + ref.stdout().length + " bytes");
        int n = ref.stdout().length;
        byte[] simOut = sim.stdout();
        assertEquals(n, simOut.length, name + ": output length");
        // Registers last: report the first register that differs by name.
        int[] refRegs = words(ref.stdout(), n - 128), simRegs = words(simOut, n - 128);
        for (int r = 0; r < 32; r++) {
            assertEquals(refRegs[r], simRegs[r], name + ": final x" + r);
        }
        int[] refOut = words(ref.stdout(), 0, n - 128), simWords = words(simOut, 0, n - 128);
        for (int i = 0; i < refOut.length; i++) assertEquals(refOut[i], simWords[i], name + ": output word " + i);
        assertArrayEquals(ref.stdout(), simOut, name + ": output bytes");
        assertEquals(ref.exit(), exit, name + ": exit code");
    }

    private Path copy(String resource) throws IOException {
        Path p = dir.resolve(resource);
        try (InputStream in = getClass().getResourceAsStream("/rv32/" + resource)) {
            if (in == null) throw new IOException("test resource rv32/" + resource + " missing");
            Files.write(p, in.readAllBytes());
        }
        return p;
    }

    private static int[] words(byte[] b, int from) {
        return words(b, from, from + 128);
    }

    private static int[] words(byte[] b, int from, int to) {
        ByteBuffer bb = ByteBuffer.wrap(b, from, to - from).order(ByteOrder.LITTLE_ENDIAN);
        int[] w = new int[(to - from) / 4];
        for (int i = 0; i < w.length; i++) w[i] = bb.getInt();
        return w;
    }
}
