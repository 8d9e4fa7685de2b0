package org.obpf.api.text;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.obpf.api.insn.CpuVersion;
import org.obpf.api.insn.InsnDecoder;
import org.obpf.api.insn.InvalidInsnException;
import org.obpf.api.testing.Tools;

/**
 * Every {@code .data} file of the bpf_conformance suite, assembled by {@link Assembler} and
 * compared slot by slot with {@code vectors.tsv} (the suite's own runner's assembly), then
 * validated by {@link InsnDecoder} and printed by {@link Disassembler}.
 */
class ConformanceSuiteTest {

    /** One line of vectors.tsv. */
    record Vector(String name, long result, byte[] memory, long[] program) {}

    /** Files whose program the decoder must refuse, with the reason. */
    private static final Map<String, String> REFUSED = Map.of(
            // callx (BPF_JMP | BPF_CALL | BPF_X) is the runner's optional "callx" group, not RFC 9669.
            "callx.data", "insn 2: unknown opcode 8d");

    private static Path dir;
    private static Map<String, Vector> vectors;

    @BeforeAll
    static void load() throws IOException {
        dir = Tools.conformanceDir();
        vectors = new LinkedHashMap<>();
        for (String line : Files.readAllLines(dir.resolve("vectors.tsv"))) {
            if (line.startsWith("#") || line.isBlank()) continue;
            String[] f = line.split("\t", -1);
            assertEquals(4, f.length, line);
            vectors.put(f[0], new Vector(f[0], Long.parseUnsignedLong(f[1], 16),
                    HexFormat.of().parseHex(f[2]), words(f[3])));
        }
    }

    static long[] words(String hex) {
        byte[] b = HexFormat.of().parseHex(hex);
        assertEquals(0, b.length % 8, "program hex is not whole slots");
        long[] w = new long[b.length / 8];
        for (int i = 0; i < w.length; i++) {
            for (int k = 7; k >= 0; k--) w[i] = w[i] << 8 | (b[i * 8 + k] & 0xff);
        }
        return w;
    }

    static Stream<String> files() throws IOException {
        Path d = Tools.conformanceDir();
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".data")).sorted().toList().stream();
        }
    }

    @Test
    void suiteHas313FilesAndEveryOneHasAVector() throws IOException {
        List<String> names = files().toList();
        assertEquals(313, names.size());
        assertEquals(313, vectors.size());
        assertEquals(Set.copyOf(names), vectors.keySet());
        // No vector without a program: nothing has to be skipped.
        assertTrue(vectors.values().stream().allMatch(v -> v.program().length > 0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("files")
    void assemblesLikeTheUpstreamRunner(String name) throws Exception {
        ConformanceTest t = ConformanceTest.parse(dir.resolve(name));
        Vector v = vectors.get(name);
        assertNotNull(v, "no vector for " + name);
        assertEquals(name, t.name());
        assertNotNull(t.asm(), name + " has no -- asm");
        long[] got = t.program();
        long[] want = v.program();
        for (int i = 0; i < Math.min(got.length, want.length); i++) {
            int slot = i;
            assertEquals(want[i], got[i], () -> String.format("%s slot %d: want %016x got %016x (%s)",
                    name, slot, want[slot], got[slot], Disassembler.format(got, slot)));
        }
        assertEquals(want.length, got.length, name + ": slot count");
        assertEquals(v.result(), t.result().orElseThrow(), name + ": result");
        assertArrayEquals(v.memory(), t.memory(), name + ": memory");
        if (t.raw() != null) assertArrayEquals(t.raw(), got, name + ": -- raw differs from -- asm");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("files")
    void decoderAcceptsEveryRfcProgramAndDisassemblesIt(String name) throws Exception {
        long[] prog = vectors.get(name).program();
        String refused = REFUSED.get(name);
        if (refused != null) {
            InvalidInsnException e = assertThrows(InvalidInsnException.class, () -> InsnDecoder.validate(prog));
            assertEquals(refused, e.getMessage());
            return;
        }
        CpuVersion cpu = InsnDecoder.validate(prog);
        assertNotNull(cpu);
        List<String> text = Disassembler.disassemble(prog);
        assertFalse(text.contains("<unknown>"), () -> name + ": " + text);
    }

    @Test
    void cpuVersionsOfTheSuite() throws Exception {
        Map<CpuVersion, List<String>> by = new TreeMap<>();
        for (Vector v : vectors.values()) {
            if (REFUSED.containsKey(v.name())) continue;
            by.computeIfAbsent(InsnDecoder.validate(v.program()), k -> new ArrayList<>()).add(v.name());
        }
        assertTrue(by.get(CpuVersion.V1).contains("add64.data"));
        assertTrue(by.get(CpuVersion.V2).contains("jlt-imm.data"));
        assertTrue(by.get(CpuVersion.V3).contains("jeq32-imm.data"));
        assertTrue(by.get(CpuVersion.V3).contains("lock_fetch_add.data"));
        assertTrue(by.get(CpuVersion.V1).contains("lock_add.data"));
        for (String v4 : List.of("sdiv64-imm.data", "smod32-neg-by-neg-reg.data", "movsx864-reg.data",
                "bswap16.data", "ja32.data", "rfc9669_ldxsb.data")) {
            assertTrue(by.get(CpuVersion.V4).contains(v4), v4 + " " + by.get(CpuVersion.V4));
        }
        assertEquals(312, by.values().stream().mapToInt(List::size).sum());
    }

    @Test
    void parsesEverySection() {
        ConformanceTest t = ConformanceTest.parse("x.data", """
                # licence
                -- asm
                mov %r0, 1 # one
                exit
                -- raw
                0x00000001000000b7
                0x0000000000000095
                -- mem
                00 01
                ff
                -- c
                int f() { return 1; }
                -- no register offset
                call instruction
                -- result
                0x1
                """);
        assertEquals("mov %r0, 1 # one\nexit\n\n".strip(), t.asm().strip());
        assertArrayEquals(new long[] {0x00000001000000b7L, 0x95L}, t.raw());
        assertArrayEquals(new byte[] {0, 1, (byte) 0xff}, t.memory());
        assertEquals(1L, t.result().getAsLong());
        assertEquals("int f() { return 1; }", t.c().strip());
        assertEquals("call instruction", t.noRegisterOffset().orElseThrow());
        assertTrue(t.hasMemory());
        assertThrows(IllegalArgumentException.class, () -> ConformanceTest.parse("y.data", "-- bogus\n"));
        ConformanceTest empty = ConformanceTest.parse("z.data", "-- asm\nexit\n-- no register offset\n-- result\n0\n");
        assertEquals("", empty.noRegisterOffset().orElseThrow());
        assertFalse(empty.hasMemory());
        assertNull(empty.raw());
    }
}
