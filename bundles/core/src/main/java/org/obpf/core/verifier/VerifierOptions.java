package org.obpf.core.verifier;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.obpf.api.map.MapSpec;
import org.obpf.api.prog.ProgramType;

/**
 * What the verifier checks a program against.
 *
 * @param type        the program type: context rules, helpers, return range
 * @param maps        the program's maps: a {@code lddw} with src 1 (map fd) or 2 (map value) and
 *                    immediate K names the K-th
 * @param logLevel    0: the rejection only; 1: the failing path, its state and the statistics;
 *                    2: every instruction with its state
 * @param flatMemSize for {@link ProgramType#FLAT}: the size of the memory r1 points to (r2 holds it)
 * @param insnLimit   processed-instruction limit (the kernel's BPF_COMPLEXITY_LIMIT_INSNS, 1M)
 * @param allowUninitStack the kernel's {@code env->allow_uninit_stack} (true for a loader with
 *                    CAP_PERFMON): reads of never-written stack give unknown values instead of
 *                    "invalid read from stack". Off by default: OBPF refuses them.
 * @param innerMaps   the inner map templates of map-in-map maps ({@code map->inner_map_meta}), by
 *                    the outer map's index in {@code maps}: what a lookup in the outer map answers
 */
public record VerifierOptions(ProgramType type, List<MapSpec> maps, int logLevel, long flatMemSize, int insnLimit,
                              boolean allowUninitStack, Map<Integer, MapSpec> innerMaps) {
    public static final int BPF_COMPLEXITY_LIMIT_INSNS = 1_000_000;

    public VerifierOptions {
        Objects.requireNonNull(type, "type");
        maps = List.copyOf(maps);
        innerMaps = Map.copyOf(innerMaps);
        if (logLevel < 0 || logLevel > 2) throw new IllegalArgumentException("log level must be 0, 1 or 2: " + logLevel);
        for (int k : innerMaps.keySet()) {
            if (k < 0 || k >= maps.size()) throw new IllegalArgumentException("inner map template for map " + k + ", which is not one of the " + maps.size() + " maps");
        }
    }

    /** Options without map-in-map templates. */
    public VerifierOptions(ProgramType type, List<MapSpec> maps, int logLevel, long flatMemSize, int insnLimit, boolean allowUninitStack) {
        this(type, maps, logLevel, flatMemSize, insnLimit, allowUninitStack, Map.of());
    }

    /** No log (level 0, as the kernel's default), FLAT memory of 0 bytes, the 1M limit. */
    public static VerifierOptions of(ProgramType type, List<MapSpec> maps) {
        return new VerifierOptions(type, maps, 0, 0, BPF_COMPLEXITY_LIMIT_INSNS, false);
    }

    public VerifierOptions withLogLevel(int level) {
        return new VerifierOptions(type, maps, level, flatMemSize, insnLimit, allowUninitStack, innerMaps);
    }

    public VerifierOptions withFlatMemSize(long size) {
        return new VerifierOptions(type, maps, logLevel, size, insnLimit, allowUninitStack, innerMaps);
    }

    public VerifierOptions withInsnLimit(int limit) {
        return new VerifierOptions(type, maps, logLevel, flatMemSize, limit, allowUninitStack, innerMaps);
    }

    public VerifierOptions withAllowUninitStack(boolean allow) {
        return new VerifierOptions(type, maps, logLevel, flatMemSize, insnLimit, allow, innerMaps);
    }

    /** With the inner map templates of the program's map-in-map maps, by outer map index. */
    public VerifierOptions withInnerMaps(Map<Integer, MapSpec> inner) {
        return new VerifierOptions(type, maps, logLevel, flatMemSize, insnLimit, allowUninitStack, inner);
    }
}
