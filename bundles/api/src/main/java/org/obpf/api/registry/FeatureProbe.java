package org.obpf.api.registry;

import java.util.List;
import java.util.SortedMap;
import java.util.Collections;
import java.util.TreeMap;
import org.obpf.api.map.MapType;
import org.obpf.api.prog.ProgramType;

/**
 * What this system supports, found the way {@code bpftool feature probe} finds it: by loading a
 * trivial program of each type and creating a small map of each type.
 *
 * @param programTypes every program type with whether it loads and whether it has test_run
 * @param mapTypes     every map type with whether a map of it can be created
 * @param helpers      per engine ({@link BpfSystem#INTERPRETER} and each installed arch), the helpers
 *                     it can call: id to name
 */
public record FeatureProbe(List<ProgramTypeSupport> programTypes, List<MapTypeSupport> mapTypes,
                           SortedMap<String, SortedMap<Integer, String>> helpers) {

    public record ProgramTypeSupport(ProgramType type, boolean loads, boolean testRun) {}

    public record MapTypeSupport(MapType type, boolean creates, String reason) {}

    public FeatureProbe {
        programTypes = List.copyOf(programTypes);
        mapTypes = List.copyOf(mapTypes);
        TreeMap<String, SortedMap<Integer, String>> h = new TreeMap<>();
        helpers.forEach((k, v) -> h.put(k, Collections.unmodifiableSortedMap(new TreeMap<>(v))));
        helpers = Collections.unmodifiableSortedMap(h);
    }
}
