package org.obpf.api.obj;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A loaded BPF ELF object: what libbpf's {@code bpf_object__open} knows before anything is
 * created in the kernel.
 *
 * @param name          the object's name: the file name up to its first '.', as libbpf names it
 * @param license       the {@code license} section's string ("" when there is none)
 * @param kernelVersion the {@code version} section's value (0 when there is none)
 * @param programs      the entry-point programs, in section order then offset order
 * @param maps          the maps: legacy {@code maps}, then {@code .maps} in BTF order, then
 *                      global data in section order; map indices in instructions refer to this list
 */
public record BpfObject(String name, String license, int kernelVersion, List<ProgramSpec> programs,
                        List<MapDefinition> maps) {

    public BpfObject {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(license, "license");
        programs = List.copyOf(programs);
        maps = List.copyOf(maps);
    }

    public Optional<ProgramSpec> program(String name) {
        return programs.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    public Optional<MapDefinition> map(String name) {
        return maps.stream().filter(m -> m.name().equals(name)).findFirst();
    }

    /** The index of the map named {@code name} in {@link #maps()}, or -1. */
    public int mapIndex(String name) {
        for (int i = 0; i < maps.size(); i++) {
            if (maps.get(i).name().equals(name)) return i;
        }
        return -1;
    }
}
