package org.obpf.core.conformance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code vectors.tsv}: every test as the upstream runner assembles it (name, expected r0, memory,
 * program, all hex). The source of programs until OBPF's own assembler reads the {@code .data}
 * files.
 */
public final class Vectors {

    /** One pre-assembled test. */
    public record Vector(String name, long result, byte[] memory, long[] program) {}

    private final Map<String, Vector> byName;

    private Vectors(Map<String, Vector> byName) {
        this.byName = byName;
    }

    public static Vectors read(Path tsv) {
        try {
            Map<String, Vector> map = new LinkedHashMap<>();
            int lineNo = 0;
            for (String line : Files.readAllLines(tsv)) {
                lineNo++;
                if (line.isBlank() || line.startsWith("#")) continue;
                String[] f = line.split("\t", -1);
                if (f.length != 4) throw new IllegalArgumentException(tsv + ":" + lineNo + ": expected 4 tab-separated fields, got " + f.length);
                Vector v = new Vector(f[0], DataFile.parseResult(f[0], f[1]), Hex.bytes(f[2]), Hex.words(Hex.bytes(f[3])));
                if (map.put(v.name(), v) != null) throw new IllegalArgumentException(tsv + ":" + lineNo + ": duplicate test " + v.name());
            }
            return new Vectors(map);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Optional<Vector> get(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public int size() {
        return byName.size();
    }
}
