package org.obpf.launcher;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.wiring.FrameworkWiring;

/**
 * Installs and uninstalls features in a running framework, as Karaf's {@code feature:install}
 * does. Registered as a Gogo command provider in scope {@code feature}; the public methods are
 * the commands ({@code feature:list}, {@code feature:info}, {@code feature:install},
 * {@code feature:uninstall}).
 */
public final class FeatureService {
    /** The feature that carries the shell itself; uninstalling it from the shell would end the shell. */
    static final String FRAMEWORK_FEATURE = "framework";

    private final BundleContext context;
    private final FeatureRepository repo;
    private final Set<String> installed = new LinkedHashSet<>();

    FeatureService(BundleContext context, FeatureRepository repo) {
        this.context = context;
        this.repo = repo;
    }

    /** {@code feature:list}: every feature with its version, state and description. */
    public synchronized String list() {
        StringBuilder sb = new StringBuilder(String.format("%-16s %-16s %-10s %s%n", "Name", "Version", "State", "Description"));
        for (Feature f : repo.all()) {
            sb.append(String.format("%-16s %-16s %-10s %s%n", f.name(), f.version(), state(f), f.description()));
        }
        return sb.toString();
    }

    /** {@code feature:info NAME}: what a feature contains. */
    public synchronized String info(String name) {
        Feature f = repo.get(name);
        StringBuilder sb = new StringBuilder();
        sb.append(f.name()).append(' ').append(f.version()).append(" (").append(state(f)).append(")\n");
        if (!f.description().isEmpty()) sb.append("  ").append(f.description()).append('\n');
        for (String dep : f.features()) sb.append("  feature ").append(dep).append('\n');
        for (Feature.Coordinates c : f.bundles()) {
            Bundle b = context.getBundle(location(repo.jar(c)));
            sb.append("  bundle  ").append(c).append(b == null ? "  (not installed)" : "  [" + b.getBundleId() + "] " + stateName(b))
                    .append('\n');
        }
        return sb.toString();
    }

    /** {@code feature:install NAME...}: installs and starts the features and everything they build on. */
    public String install(String... names) throws BundleException {
        List<String> wanted = List.of(names);
        if (wanted.isEmpty()) throw new IllegalArgumentException("feature:install needs a feature name");
        List<Bundle> started;
        synchronized (this) {
            List<Path> jars = repo.bundles(wanted); // fails on an unknown name before anything is installed
            started = installAndStart(jars);
            for (Feature f : repo.closure(wanted)) installed.add(f.name());
        }
        return "installed " + String.join(", ", wanted) + " (" + started.size() + " bundle(s) started)";
    }

    /**
     * {@code feature:uninstall NAME...}: uninstalls the features' bundles that no other installed
     * feature needs; the features they build on stay.
     */
    public String uninstall(String... names) throws BundleException, InterruptedException {
        List<Bundle> removed = new ArrayList<>();
        synchronized (this) {
            for (String n : names) {
                repo.get(n);
                if (n.equals(FRAMEWORK_FEATURE)) {
                    throw new IllegalArgumentException("feature " + FRAMEWORK_FEATURE + " carries the shell itself and cannot be uninstalled from it");
                }
                if (!installed.contains(n)) throw new IllegalArgumentException("feature " + n + " is not installed");
            }
            Set<String> remaining = new LinkedHashSet<>(installed);
            List.of(names).forEach(remaining::remove);
            // "all" and other aggregates built on a removed feature go too.
            remaining.removeIf(r -> repo.closure(List.of(r)).stream().anyMatch(f -> List.of(names).contains(f.name())));
            Set<Path> keep = new HashSet<>(repo.bundles(remaining));
            for (Path jar : repo.bundles(List.of(names))) {
                if (keep.contains(jar)) continue;
                Bundle b = context.getBundle(location(jar));
                if (b != null) {
                    b.uninstall();
                    removed.add(b);
                }
            }
            installed.clear();
            installed.addAll(repo.closure(remaining).stream().map(Feature::name).toList());
        }
        refresh(removed);
        return "uninstalled " + String.join(", ", names) + " (" + removed.size() + " bundle(s) removed)";
    }

    /** Installs every jar (already installed ones are reused), then starts those that are not fragments. */
    List<Bundle> installAndStart(List<Path> jars) throws BundleException {
        List<Bundle> bundles = new ArrayList<>();
        for (Path jar : jars) bundles.add(context.installBundle(location(jar)));
        List<Bundle> started = new ArrayList<>();
        for (Bundle b : bundles) {
            if (b.getHeaders().get(Constants.FRAGMENT_HOST) == null && b.getState() != Bundle.ACTIVE) {
                b.start();
                started.add(b);
            }
        }
        return started;
    }

    synchronized void markInstalled(List<String> names) {
        for (Feature f : repo.closure(names)) installed.add(f.name());
    }

    private String state(Feature f) {
        if (!installed.contains(f.name())) return "-";
        for (Feature.Coordinates c : repo.closure(List.of(f.name())).stream().flatMap(x -> x.bundles().stream()).toList()) {
            Bundle b = context.getBundle(location(repo.jar(c)));
            if (b == null) return "partial";
        }
        return "installed";
    }

    private void refresh(List<Bundle> removed) throws InterruptedException {
        if (removed.isEmpty()) return;
        CountDownLatch done = new CountDownLatch(1);
        context.getBundle(0).adapt(FrameworkWiring.class).refreshBundles(removed, e -> {
            if (e.getType() == FrameworkEvent.PACKAGES_REFRESHED || e.getType() == FrameworkEvent.ERROR) done.countDown();
        });
        done.await(30, TimeUnit.SECONDS);
    }

    static String location(Path jar) {
        return jar.toUri().toString();
    }

    private static String stateName(Bundle b) {
        return switch (b.getState()) {
            case Bundle.ACTIVE -> "Active";
            case Bundle.RESOLVED -> "Resolved";
            case Bundle.INSTALLED -> "Installed";
            case Bundle.STARTING -> "Starting";
            case Bundle.STOPPING -> "Stopping";
            default -> "Uninstalled";
        };
    }
}
