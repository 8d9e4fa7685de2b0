package org.obpf.core.jit;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.obpf.api.jit.BackendInfo;
import org.obpf.api.jit.JitBackend;

/**
 * The back-ends installed at one moment, keyed by arch, best first. Lookups read an immutable
 * snapshot without locking (they happen on every compile); arrivals and departures, which are
 * rare, copy it.
 */
final class BackendTable {

    /** One registered back-end service. */
    record Entry(JitBackend backend, BackendInfo info) {}

    // Highest ranking first, then the oldest service (lowest id), as the OSGi registry orders services.
    private static final Comparator<Entry> PREFERENCE = Comparator
            .comparingInt((Entry e) -> -e.info().ranking())
            .thenComparingLong(e -> e.info().serviceId());

    private volatile Map<String, List<Entry>> byArch = Map.of();

    synchronized void add(Entry entry) {
        Map<String, List<Entry>> next = new TreeMap<>(byArch);
        List<Entry> list = new ArrayList<>(next.getOrDefault(entry.info().arch(), List.of()));
        list.add(entry);
        list.sort(PREFERENCE);
        next.put(entry.info().arch(), List.copyOf(list));
        byArch = Collections.unmodifiableMap(next);
    }

    /** Removes the service with {@code serviceId}; returns the entry removed, if it was there. */
    synchronized Optional<Entry> remove(long serviceId) {
        Map<String, List<Entry>> next = new TreeMap<>(byArch);
        for (Map.Entry<String, List<Entry>> e : byArch.entrySet()) {
            List<Entry> list = new ArrayList<>(e.getValue());
            for (Entry x : e.getValue()) {
                if (x.info().serviceId() == serviceId) {
                    list.remove(x);
                    if (list.isEmpty()) next.remove(e.getKey());
                    else next.put(e.getKey(), List.copyOf(list));
                    byArch = Collections.unmodifiableMap(next);
                    return Optional.of(x);
                }
            }
        }
        return Optional.empty();
    }

    Optional<JitBackend> best(String arch) {
        List<Entry> list = byArch.get(arch);
        return list == null ? Optional.empty() : Optional.of(list.get(0).backend());
    }

    int count(String arch) {
        return byArch.getOrDefault(arch, List.of()).size();
    }

    SortedSet<String> archs() {
        return Collections.unmodifiableSortedSet(new TreeSet<>(byArch.keySet()));
    }

    List<BackendInfo> infos() {
        List<BackendInfo> all = new ArrayList<>();
        byArch.values().forEach(list -> list.forEach(e -> all.add(e.info())));
        return List.copyOf(all);
    }
}
