package org.obpf.api.obj;

import java.util.Arrays;
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
 * @param btf           the {@code .BTF} section as the object holds it (empty when there is none), which
 *                      the type ids of {@link ProgramSpec#funcInfo()} refer to; loading it into a
 *                      kernel needs libbpf's fix-ups (DATASEC sizes and offsets) first
 */
public record BpfObject(String name, String license, int kernelVersion, List<ProgramSpec> programs,
                        List<MapDefinition> maps, byte[] btf) {

    public BpfObject {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(license, "license");
        programs = List.copyOf(programs);
        maps = List.copyOf(maps);
        btf = btf.clone();
    }

    /** A copy of the raw .BTF bytes. */
    @Override
    public byte[] btf() {
        return btf.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BpfObject b && name.equals(b.name) && license.equals(b.license) && kernelVersion == b.kernelVersion
                && programs.equals(b.programs) && maps.equals(b.maps) && Arrays.equals(btf, b.btf);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, license, kernelVersion, programs, maps, Arrays.hashCode(btf));
    }

    @Override
    public String toString() {
        return "BpfObject[" + name + ", license " + license + ", version " + kernelVersion + ", programs " + programs
                + ", maps " + maps + ", " + btf.length + " bytes of BTF]";
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
