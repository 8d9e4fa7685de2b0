package org.obpf.api.offload;

import java.util.List;
import java.util.Objects;
import org.obpf.api.map.MapSpec;
import org.obpf.api.prog.ProgramType;

/**
 * A program as the offload query sees it: its type, instruction slots and the maps it uses
 * (index in this list = index in {@code BPF_PSEUDO_MAP_IDX} loads).
 */
public record OffloadCandidate(String name, ProgramType type, long[] insns, List<MapSpec> maps) {
    public OffloadCandidate {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        insns = insns.clone();
        maps = List.copyOf(maps);
    }

    @Override
    public long[] insns() {
        return insns.clone();
    }
}
