package org.obpf.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The features of a distribution ({@code features/*.feature}) and the bundle jars they name
 * ({@code bundle/}). Loading checks the whole repository at once: an unknown feature reference, a
 * cycle or a missing jar is reported before anything is installed.
 */
final class FeatureRepository {
    private final Path bundleDir;
    private final Map<String, Feature> features;

    private FeatureRepository(Path bundleDir, Map<String, Feature> features) {
        this.bundleDir = bundleDir;
        this.features = features;
    }

    static FeatureRepository load(Path dist) throws IOException {
        Path featureDir = dist.resolve("features");
        Path bundleDir = dist.resolve("bundle");
        if (!Files.isDirectory(featureDir)) {
            throw new IOException("no features directory at " + featureDir + " (is the distribution built?)");
        }
        Map<String, Feature> all = new TreeMap<>();
        try (Stream<Path> files = Files.list(featureDir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".feature")).sorted().toList()) {
                Feature feature = Feature.read(f);
                all.put(feature.name(), feature);
            }
        }
        FeatureRepository repo = new FeatureRepository(bundleDir, all);
        List<String> problems = new ArrayList<>();
        for (Feature f : all.values()) {
            for (String dep : f.features()) {
                if (!all.containsKey(dep)) problems.add("feature " + f.name() + " builds on unknown feature " + dep);
            }
            for (Feature.Coordinates c : f.bundles()) {
                if (!Files.isRegularFile(bundleDir.resolve(c.fileName()))) {
                    problems.add("feature " + f.name() + ": bundle " + c + " is missing (" + bundleDir.resolve(c.fileName()) + ")");
                }
            }
        }
        if (problems.isEmpty()) {
            for (String name : all.keySet()) {
                try {
                    repo.closure(List.of(name));
                } catch (IllegalArgumentException e) {
                    problems.add(e.getMessage());
                }
            }
        }
        if (!problems.isEmpty()) throw new IOException("feature repository " + dist + ": " + String.join("; ", problems));
        return repo;
    }

    Collection<Feature> all() {
        return features.values();
    }

    Feature get(String name) {
        Feature f = features.get(name);
        if (f == null) {
            throw new IllegalArgumentException("unknown feature '" + name + "' (features: " + String.join(", ", features.keySet()) + ")");
        }
        return f;
    }

    /** The named features and every feature they build on, dependencies first. */
    List<Feature> closure(Collection<String> names) {
        Set<String> done = new LinkedHashSet<>();
        for (String n : names) visit(n, done, new LinkedHashSet<>());
        return done.stream().map(features::get).toList();
    }

    private void visit(String name, Set<String> done, Set<String> path) {
        if (done.contains(name)) return;
        if (!path.add(name)) throw new IllegalArgumentException("feature cycle: " + String.join(" -> ", path) + " -> " + name);
        for (String dep : get(name).features()) visit(dep, done, path);
        path.remove(name);
        done.add(name);
    }

    /** The bundle jars of the named features and everything they build on, in install order, without repeats. */
    List<Path> bundles(Collection<String> names) {
        Set<Path> out = new LinkedHashSet<>();
        for (Feature f : closure(names)) {
            for (Feature.Coordinates c : f.bundles()) out.add(jar(c));
        }
        return List.copyOf(out);
    }

    Path jar(Feature.Coordinates c) {
        return bundleDir.resolve(c.fileName()).toAbsolutePath().normalize();
    }
}
