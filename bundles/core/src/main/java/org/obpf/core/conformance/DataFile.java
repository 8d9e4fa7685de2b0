package org.obpf.core.conformance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The parts of a conformance {@code .data} file the runner needs before the assembler is merged:
 * the initial memory ({@code -- mem}), the expected r0 ({@code -- result}) and the features marked
 * as not required ({@code -- no register offset}). The program itself comes from
 * {@link Vectors} until then.
 */
public record DataFile(String name, byte[] memory, long result, List<String> notRequired) {

    public static DataFile read(Path file) {
        try {
            return parse(file.getFileName().toString(), Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static DataFile parse(String name, String text) {
        String section = null;
        StringBuilder mem = new StringBuilder();
        String result = null;
        List<String> notRequired = new ArrayList<>();
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.startsWith("-- ")) {
                section = line.substring(3).strip();
                continue;
            }
            if (line.isEmpty() || line.startsWith("#") || section == null) continue;
            switch (section) {
                case "mem" -> mem.append(line).append(' ');
                case "result" -> {
                    if (result != null) throw new IllegalArgumentException(name + ": more than one result line");
                    result = line;
                }
                case "no register offset" -> notRequired.add(line);
                default -> { } // asm, raw, c: not needed here
            }
        }
        if (result == null) throw new IllegalArgumentException(name + ": no -- result section");
        return new DataFile(name, Hex.bytes(mem.toString()), parseResult(name, result), List.copyOf(notRequired));
    }

    /** The expected r0: hex with or without {@code 0x}, up to 64 bits. */
    static long parseResult(String name, String text) {
        String t = text.strip().toLowerCase();
        if (t.startsWith("0x")) t = t.substring(2);
        if (t.isEmpty() || t.length() > 16) throw new IllegalArgumentException(name + ": bad result '" + text + "'");
        return Long.parseUnsignedLong(t, 16);
    }

    /** The feature named after {@code -- no register offset}, if any (e.g. "call instruction"). */
    public Optional<String> optionalFeature() {
        return notRequired.stream().findFirst();
    }
}
