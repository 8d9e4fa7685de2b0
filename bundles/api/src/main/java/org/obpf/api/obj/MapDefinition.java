package org.obpf.api.obj;

import java.util.Arrays;
import java.util.Collections;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

import org.obpf.api.map.MapSpec;

/**
 * A map an object defines, to be created before its programs load.
 *
 * @param name          the map's name in the object: the variable name for {@code .maps} and
 *                      {@code maps} definitions, the section name ({@code .rodata},
 *                      {@code .data}, {@code .bss}, {@code .rodata.str1.1}) for global data
 * @param spec          what {@code BPF_MAP_CREATE} takes; its name is the kernel name, for
 *                      global data libbpf's {@code internal_map_name} ({@code global_d.rodata})
 * @param kind          where the definition came from
 * @param section       the ELF section that defined it
 * @param initialValue  for {@code .data*} and {@code .rodata*}, the value of the single entry (key 0)
 *                      as the section holds it; empty for {@code .bss} (its value starts zeroed:
 *                      {@code spec().valueSize()} bytes) and for other maps
 * @param frozen        the map is frozen after its value is written ({@code .rodata*}): programs
 *                      read it as constant, nobody writes it
 * @param pinning       {@code __uint(pinning, ...)} of a {@code .maps} definition
 * @param innerMap      for map-in-map types, the inner map's definition ({@code __array(values, ...)})
 * @param initialSlots  slots set by the definition's initializer ({@code .values = { [1] = &prog }}):
 *                      slot index to the name of a program of the object (PROG_ARRAY) or of a
 *                      map of the object (map-in-map); core puts their fds there once they exist
 * @param mapExtra      {@code __uint(map_extra, ...)} (bloom filter hash count), 0 otherwise
 * @param numaNode      {@code __uint(numa_node, ...)}, 0 otherwise
 */
public record MapDefinition(String name, MapSpec spec, Kind kind, String section, byte[] initialValue, boolean frozen,
                            Pinning pinning, Optional<MapDefinition> innerMap, SortedMap<Integer, String> initialSlots,
                            long mapExtra, int numaNode) {

    /** Where a definition came from. */
    public enum Kind {
        /** A BTF-defined map in {@code .maps}. */
        BTF,
        /** A {@code struct bpf_map_def} record in the legacy {@code maps} section. */
        LEGACY,
        /** {@code .data*}: initialised global variables. */
        DATA,
        /** {@code .rodata*}: constants, frozen. */
        RODATA,
        /** {@code .bss}: zero-initialised global variables. */
        BSS;

        /** True for the single-entry ARRAY maps libbpf makes of global-data sections. */
        public boolean globalData() {
            return this == DATA || this == RODATA || this == BSS;
        }
    }

    /** libbpf's {@code enum libbpf_pin_type}. */
    public enum Pinning {
        NONE,
        /** Pinned in the pin root directory under the map's name. */
        BY_NAME
    }

    public MapDefinition {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(section, "section");
        Objects.requireNonNull(pinning, "pinning");
        Objects.requireNonNull(innerMap, "innerMap");
        initialValue = initialValue.clone();
        initialSlots = Collections.unmodifiableSortedMap(new TreeMap<>(initialSlots));
    }

    /** A copy of the initial value bytes. */
    @Override
    public byte[] initialValue() {
        return initialValue.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MapDefinition m && name.equals(m.name) && spec.equals(m.spec) && kind == m.kind
                && section.equals(m.section) && Arrays.equals(initialValue, m.initialValue) && frozen == m.frozen
                && pinning == m.pinning && innerMap.equals(m.innerMap) && initialSlots.equals(m.initialSlots)
                && mapExtra == m.mapExtra && numaNode == m.numaNode;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, spec, kind, section, Arrays.hashCode(initialValue), frozen, pinning, innerMap, initialSlots, mapExtra,
                numaNode);
    }

    @Override
    public String toString() {
        return "MapDefinition[" + name + ", " + spec + ", " + kind + ", section " + section
                + (initialValue.length > 0 ? ", " + initialValue.length + " initial bytes" : "")
                + (frozen ? ", frozen" : "") + (pinning != Pinning.NONE ? ", pinning " + pinning : "")
                + innerMap.map(i -> ", inner " + i).orElse("") + (initialSlots.isEmpty() ? "" : ", slots " + initialSlots) + "]";
    }
}
