package org.obpf.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Stream;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;

/**
 * Starts an Apache Felix framework from an OBPF distribution directory ({@code lib/},
 * {@code bundle/}, {@code features/}) with the given features installed and started.
 * Used by {@link Main} and by the integration tests, so both run what users get.
 */
public final class Launcher {

    /** The packages the system bundle exports from the launcher's class path: SLF4J, so one provider serves every bundle. */
    static final String SYSTEM_PACKAGES_EXTRA = String.join(",",
            "org.slf4j;version=2.0.17", "org.slf4j.spi;version=2.0.17", "org.slf4j.event;version=2.0.17",
            "org.slf4j.helpers;version=2.0.17");

    /** A running framework, its feature service, and the cache directory it owns. */
    public record Running(Framework framework, FeatureService features, Path cache, boolean ownsCache) implements AutoCloseable {
        /** Stops the framework, waits for it, and deletes the cache if the launcher created it. */
        @Override
        public void close() throws InterruptedException {
            try {
                framework.stop();
                framework.waitForStop(30_000);
            } catch (BundleException e) {
                throw new IllegalStateException("stopping the framework failed: " + e.getMessage(), e);
            } finally {
                if (ownsCache) deleteTree(cache);
            }
        }
    }

    private Launcher() {}

    /**
     * Starts a framework.
     *
     * @param dist     the distribution directory
     * @param features features to install ("all" for everything)
     * @param cache    framework storage; null for a new temporary directory removed on close
     * @param props    further framework properties (e.g. {@code gosh.args})
     */
    public static Running start(Path dist, List<String> features, Path cache, Map<String, String> props)
            throws IOException, BundleException {
        FeatureRepository repo = FeatureRepository.load(dist);
        List<Path> jars = repo.bundles(features); // unknown features fail here, before the framework starts
        boolean owns = cache == null;
        Path storage = owns ? Files.createTempDirectory("obpf-felix-") : cache.toAbsolutePath();
        Map<String, String> config = new HashMap<>();
        config.put(Constants.FRAMEWORK_STORAGE, storage.toString());
        config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        config.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, SYSTEM_PACKAGES_EXTRA);
        config.put("felix.log.level", "1");
        config.putAll(props);
        FrameworkFactory factory = ServiceLoader.load(FrameworkFactory.class).findFirst()
                .orElseThrow(() -> new IllegalStateException("no OSGi framework on the class path (lib/org.apache.felix.framework.jar)"));
        Framework fw = factory.newFramework(config);
        try {
            fw.init();
            FeatureService service = new FeatureService(fw.getBundleContext(), repo);
            service.installAndStart(jars);
            service.markInstalled(features);
            Hashtable<String, Object> cmd = new Hashtable<>();
            cmd.put("osgi.command.scope", "feature");
            cmd.put("osgi.command.function", new String[] {"list", "info", "install", "uninstall"});
            fw.getBundleContext().registerService(FeatureService.class, service, cmd);
            fw.start();
            return new Running(fw, service, storage, owns);
        } catch (BundleException | RuntimeException e) {
            fw.stop();
            try {
                fw.waitForStop(10_000);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
            if (owns) deleteTree(storage);
            throw e;
        }
    }

    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // Best effort: a leftover temporary cache is harmless and says where it is.
            System.err.println("obpf: could not remove framework cache " + dir + ": " + e.getMessage());
        }
    }
}
