package org.obpf.core.map;

import java.util.HexFormat;
import org.obpf.api.BpfException;
import org.obpf.api.Errno;
import org.obpf.api.map.MapSpec;

/** Creates maps by type ({@code BPF_MAP_CREATE}'s dispatch on {@code map_type}) and holds the kernel's size limits. */
public final class Maps {
    private Maps() {}

    /** {@code MAX_BPF_STACK}: keys are built on the stack, so none is larger. */
    public static final int MAX_BPF_STACK = 512;
    /** {@code PCPU_MIN_UNIT_SIZE}: the largest per-CPU value. */
    public static final int PCPU_MIN_UNIT_SIZE = 32 * 1024;
    /** {@code KMALLOC_MAX_SIZE} on x86-64 (order-10 allocations of 4 KiB pages: 4 MiB). */
    public static final long KMALLOC_MAX_SIZE = 4L << 20;
    /** OBPF's own limit on one map's memory, beyond which creation fails with {@code E2BIG}. */
    public static final long MAX_MAP_BYTES = 1L << 32;

    /** Creates a map with {@link Cpus#possible()} CPUs for per-CPU types. */
    public static AbstractBpfMap create(MapSpec spec) throws BpfException {
        return create(spec, Cpus.possible());
    }

    /**
     * Creates a map of {@code spec}'s type.
     *
     * @param cpus possible CPUs for per-CPU maps
     * @throws BpfException {@code EINVAL}/{@code E2BIG}/{@code ENOMEM} as the type's
     *     {@code map_alloc_check} and {@code map_alloc} answer, {@code EOPNOTSUPP} for a type OBPF
     *     does not implement
     */
    public static AbstractBpfMap create(MapSpec spec, int cpus) throws BpfException {
        return create(spec, cpus, null);
    }

    /**
     * Creates a map of {@code spec}'s type; map-in-map types take {@code inner} as their inner map
     * template ({@code inner_map_fd}), which they only copy: the caller keeps its reference.
     *
     * @throws BpfException as {@link #create(MapSpec, int)}, and {@code EINVAL} for a map-in-map
     *     without a fitting template
     */
    public static AbstractBpfMap create(MapSpec spec, int cpus, AbstractBpfMap inner) throws BpfException {
        if (cpus <= 0) throw new IllegalArgumentException("cpus must be positive: " + cpus);
        return switch (spec.type()) {
            case ARRAY, PERCPU_ARRAY -> new ArrayMap(spec, cpus);
            case HASH, PERCPU_HASH, LRU_HASH, LRU_PERCPU_HASH -> new HashTabMap(spec, cpus);
            case PROG_ARRAY -> new ProgArrayMap(spec);
            case QUEUE, STACK -> new QueueStackMap(spec);
            case LPM_TRIE -> new LpmTrieMap(spec);
            case RINGBUF -> new RingBufMap(spec);
            case DEVMAP -> new DevMap(spec);
            case PERF_EVENT_ARRAY -> new PerfEventArrayMap(spec);
            case ARRAY_OF_MAPS, HASH_OF_MAPS -> new MapOfMaps(spec, inner);
            default -> throw new BpfException(Errno.EOPNOTSUPP, "map " + spec.name() + ": map type "
                    + spec.type().kernelName() + " (" + spec.type().kernelId() + ") is not supported");
        };
    }

    static String hex(byte[] bytes) {
        return bytes == null ? "(none)" : HexFormat.ofDelimiter(" ").formatHex(bytes);
    }
}
