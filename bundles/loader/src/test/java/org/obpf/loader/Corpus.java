package org.obpf.loader;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** The clang-compiled objects of the corpus module, read as class-path resources. */
final class Corpus {
    private Corpus() {}

    /** Names (without .o) of the objects the loader must load. */
    static List<String> names() {
        return index("corpus/index.txt");
    }

    /** Names of the objects the loader must reject. */
    static List<String> rejectedNames() {
        return index("corpus/rejected/index.txt");
    }

    private static List<String> index(String resource) {
        String text = new String(bytes(resource), StandardCharsets.UTF_8);
        return Arrays.stream(text.split("\n")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    /** The bytes of corpus/NAME.o (NAME may be rejected/NAME). */
    static byte[] object(String name) {
        return bytes("corpus/" + name + ".o");
    }

    static byte[] bytes(String resource) {
        try (InputStream in = Corpus.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                fail("class-path resource " + resource + " is missing: the corpus module compiles it with clang when tests run"
                        + " (it is skipped with -DskipTests)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new AssertionError("reading " + resource, e);
        }
    }

    /** The object written to a file in {@code dir}, for external tools. */
    static Path file(Path dir, String name) throws IOException {
        Path p = dir.resolve(name.replace('/', '_') + ".o");
        Files.write(p, object(name));
        return p;
    }
}
