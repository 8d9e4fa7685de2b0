package org.obpf.api.text;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * One bpf_conformance test file ({@code .data}): sections {@code -- asm}, {@code -- raw},
 * {@code -- mem}, {@code -- result}, {@code -- c} and {@code -- no register offset}. At start an
 * engine sets r1 to the memory (or 0 without any) and r2 to its length, runs the program and
 * compares r0 with {@link #result()}.
 *
 * @param name             file name, e.g. {@code add.data}
 * @param asm              the {@code -- asm} section, or null
 * @param raw              the {@code -- raw} section's 64-bit words, or null
 * @param memory           the {@code -- mem} bytes (empty without the section)
 * @param result           the expected r0
 * @param c                the {@code -- c} section (information only), or null
 * @param noRegisterOffset the {@code -- no register offset} section's text (the feature named
 *                         there, may be empty) when the section is present
 */
public record ConformanceTest(String name, String asm, long[] raw, byte[] memory, OptionalLong result, String c,
                              Optional<String> noRegisterOffset) {

    public ConformanceTest {
        raw = raw == null ? null : raw.clone();
        memory = memory == null ? new byte[0] : memory.clone();
    }

    @Override
    public long[] raw() {
        return raw == null ? null : raw.clone();
    }

    @Override
    public byte[] memory() {
        return memory.clone();
    }

    /** True when the test has a {@code -- mem} section (r1 points to it) or not (r1 = r2 = 0). */
    public boolean hasMemory() {
        return memory.length > 0;
    }

    /** The program: the assembled {@code -- asm} section, else the {@code -- raw} words. */
    public long[] program() throws AssemblerException {
        if (asm != null) return Assembler.assemble(asm);
        if (raw != null) return raw.clone();
        throw new AssemblerException(1, name + " has neither -- asm nor -- raw");
    }

    /** Reads one {@code .data} file. */
    public static ConformanceTest parse(Path file) throws IOException {
        return parse(file.getFileName().toString(), Files.readString(file, StandardCharsets.UTF_8));
    }

    /** Reads every {@code *.data} file of a directory, sorted by name. */
    public static List<ConformanceTest> parseDirectory(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> sorted = files.filter(p -> p.getFileName().toString().endsWith(".data")).sorted().toList();
            List<ConformanceTest> tests = new ArrayList<>(sorted.size());
            for (Path p : sorted) tests.add(parse(p));
            return tests;
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /**
     * Parses the text of a {@code .data} file. Lines starting with {@code #} are comments outside
     * the {@code -- asm} and {@code -- c} sections (inside {@code -- asm} the assembler drops them).
     *
     * @throws IllegalArgumentException on an unknown section or a malformed hex or number
     */
    public static ConformanceTest parse(String name, String text) {
        StringBuilder asm = null;
        StringBuilder c = null;
        StringBuilder noOffset = null;
        List<Long> raw = null;
        StringBuilder mem = null;
        OptionalLong result = OptionalLong.empty();
        String section = null;
        for (String line : text.split("\r?\n", -1)) {
            if (line.startsWith("-- ")) {
                section = line.substring(3).strip();
                switch (section) {
                    case "asm" -> asm = new StringBuilder();
                    case "c" -> c = new StringBuilder();
                    case "raw" -> raw = new ArrayList<>();
                    case "mem" -> mem = new StringBuilder();
                    case "no register offset" -> noOffset = new StringBuilder();
                    case "result" -> { }
                    default -> throw new IllegalArgumentException(name + ": unknown section -- " + section);
                }
                continue;
            }
            if (section == null) continue; // licence header
            switch (section) {
                case "asm" -> asm.append(line).append('\n');
                case "c" -> c.append(line).append('\n');
                case "no register offset" -> {
                    if (!line.isBlank()) noOffset.append(noOffset.isEmpty() ? "" : "\n").append(line.strip());
                }
                case "mem" -> {
                    if (!line.startsWith("#")) mem.append(line).append(' ');
                }
                case "raw" -> {
                    String t = uncomment(line);
                    if (!t.isEmpty()) raw.add(parseNumber(name, t));
                }
                default -> { // result
                    String t = uncomment(line);
                    if (!t.isEmpty()) result = OptionalLong.of(parseNumber(name, t));
                }
            }
        }
        return new ConformanceTest(name, asm == null ? null : asm.toString(),
                raw == null ? null : raw.stream().mapToLong(Long::longValue).toArray(),
                mem == null ? new byte[0] : hex(name, mem.toString()), result,
                c == null ? null : c.toString(),
                noOffset == null ? Optional.empty() : Optional.of(noOffset.toString()));
    }

    private static String uncomment(String line) {
        int hash = line.indexOf('#');
        return (hash >= 0 ? line.substring(0, hash) : line).strip();
    }

    private static long parseNumber(String name, String t) {
        try {
            if (t.startsWith("0x") || t.startsWith("0X")) return Long.parseUnsignedLong(t.substring(2), 16);
            return t.startsWith("-") ? Long.parseLong(t) : Long.parseUnsignedLong(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": invalid number " + t, e);
        }
    }

    /** Hex bytes separated by white space ({@code "00 01 ff"}). */
    private static byte[] hex(String name, String text) {
        String[] tokens = text.strip().isEmpty() ? new String[0] : text.strip().split("\\s+");
        byte[] out = new byte[tokens.length];
        for (int i = 0; i < tokens.length; i++) {
            try {
                out[i] = (byte) Integer.parseInt(tokens[i], 16);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + ": invalid memory byte " + tokens[i], e);
            }
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConformanceTest t && name.equals(t.name) && java.util.Objects.equals(asm, t.asm)
                && Arrays.equals(raw, t.raw) && Arrays.equals(memory, t.memory) && result.equals(t.result)
                && java.util.Objects.equals(c, t.c) && noRegisterOffset.equals(t.noRegisterOffset);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * name.hashCode() + Arrays.hashCode(raw)) + Arrays.hashCode(memory);
    }

    @Override
    public String toString() {
        return "ConformanceTest[" + name + ", " + (asm != null ? "asm" : "raw") + ", mem " + memory.length
                + " bytes, result " + (result.isPresent() ? "0x" + Long.toHexString(result.getAsLong()) : "none") + "]";
    }
}
