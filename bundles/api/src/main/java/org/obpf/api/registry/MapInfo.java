package org.obpf.api.registry;

import java.util.List;
import java.util.Objects;
import org.obpf.api.map.MapSpec;

/**
 * One map, as {@code bpftool map show} reports it.
 *
 * @param id         the map's id ({@link org.obpf.api.map.BpfMap#id()})
 * @param spec       its definition
 * @param programIds the programs using it
 * @param pinned     the paths it is pinned at
 */
public record MapInfo(int id, MapSpec spec, List<Integer> programIds, List<String> pinned) {
    public MapInfo {
        Objects.requireNonNull(spec, "spec");
        programIds = List.copyOf(programIds);
        pinned = List.copyOf(pinned);
    }
}
