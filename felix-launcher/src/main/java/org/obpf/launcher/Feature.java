package org.obpf.launcher;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * A named, versioned set of bundles, read from a {@code .feature} file (Java properties:
 * {@code name}, {@code version}, {@code description}, {@code features} it builds on and
 * {@code bundles} as Maven coordinates {@code groupId:artifactId:version}).
 */
record Feature(String name, String version, String description, List<String> features, List<Coordinates> bundles) {

    /** Maven coordinates of one bundle; its jar in the repository is {@code groupId.artifactId-version.jar}. */
    record Coordinates(String groupId, String artifactId, String version) {
        static Coordinates parse(String s, String feature) {
            String[] p = s.trim().split(":");
            if (p.length != 3 || p[0].isEmpty() || p[1].isEmpty() || p[2].isEmpty()) {
                throw new IllegalArgumentException("feature " + feature + ": bundle '" + s.trim()
                        + "' is not groupId:artifactId:version");
            }
            return new Coordinates(p[0], p[1], p[2]);
        }

        String fileName() {
            return groupId + "." + artifactId + "-" + version + ".jar";
        }

        @Override
        public String toString() {
            return groupId + ":" + artifactId + ":" + version;
        }
    }

    static Feature read(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        String fileName = file.getFileName().toString();
        String name = p.getProperty("name");
        if (name == null || name.isBlank()) {
            throw new IOException(file + ": no 'name'");
        }
        if (!fileName.equals(name + ".feature")) {
            throw new IOException(file + ": feature '" + name + "' must be in a file named " + name + ".feature");
        }
        List<Coordinates> bundles = new ArrayList<>();
        for (String b : list(p.getProperty("bundles"))) bundles.add(Coordinates.parse(b, name));
        return new Feature(name, p.getProperty("version", "0.0.0"), p.getProperty("description", ""),
                list(p.getProperty("features")), List.copyOf(bundles));
    }

    private static List<String> list(String v) {
        List<String> out = new ArrayList<>();
        if (v == null) return out;
        for (String s : v.split(",")) {
            if (!s.isBlank()) out.add(s.trim());
        }
        return out;
    }
}
