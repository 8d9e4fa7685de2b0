package org.obpf.api.map;

import java.util.Objects;

/**
 * What a map is, as {@code BPF_MAP_CREATE} takes it: type, key and value sizes in bytes,
 * maximum number of entries, flags ({@code BPF_F_*}) and a name (at most 15 characters in the
 * kernel; kept as given here).
 */
public record MapSpec(String name, MapType type, int keySize, int valueSize, int maxEntries, int flags) {
    public MapSpec {
        Objects.requireNonNull(type, "type");
        name = name == null ? "" : name;
        if (keySize < 0 || valueSize < 0 || maxEntries < 0) {
            throw new IllegalArgumentException("map " + name + ": negative key size, value size or max_entries");
        }
    }
}
