package org.obpf.kernelref;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.obpf.api.map.MapSpec;

/** A map created in the kernel; closing it closes its fd (the kernel frees it with its last reference). */
public final class KernelMap implements AutoCloseable {
    private final MapSpec spec;
    private final int fd;
    private boolean closed;

    private KernelMap(MapSpec spec, int fd) {
        this.spec = spec;
        this.fd = fd;
    }

    /** {@code BPF_MAP_CREATE}. */
    public static KernelMap create(MapSpec spec) throws KernelBpfException {
        return new KernelMap(spec, KernelBpf.mapCreate(spec));
    }

    /**
     * {@code BPF_MAP_CREATE} of a map-in-map: a template map of {@code inner} is created, passed as
     * {@code inner_map_fd} and closed again, as libbpf does for {@code __array(values, ...)}.
     */
    public static KernelMap create(MapSpec spec, MapSpec inner) throws KernelBpfException {
        if (inner == null) return create(spec);
        try (KernelMap template = create(inner)) {
            return create(spec, template);
        }
    }

    /** {@code BPF_MAP_CREATE} with {@code inner}'s fd as {@code inner_map_fd}. */
    public static KernelMap create(MapSpec spec, KernelMap inner) throws KernelBpfException {
        return new KernelMap(spec, KernelBpf.mapCreate(spec, inner.fd()));
    }

    public MapSpec spec() {
        return spec;
    }

    public int fd() {
        return fd;
    }

    /** The kernel's id of this map. */
    public int id() throws KernelBpfException {
        return KernelBpf.mapId(fd);
    }

    /** The value for {@code key}, or empty if absent. Per-CPU maps need {@link KernelBpf#mapLookup} with the full size. */
    public Optional<byte[]> lookup(byte[] key) throws KernelBpfException {
        return KernelBpf.mapLookup(fd, key, spec.valueSize());
    }

    public void update(byte[] key, byte[] value, long flags) throws KernelBpfException {
        KernelBpf.mapUpdate(fd, key, value, flags);
    }

    public void update(byte[] key, byte[] value) throws KernelBpfException {
        update(key, value, KernelBpf.BPF_ANY);
    }

    /** True if the key was there. */
    public boolean delete(byte[] key) throws KernelBpfException {
        return KernelBpf.mapDelete(fd, key);
    }

    /** The key after {@code key}, or the first with {@code null}; empty after the last. */
    public Optional<byte[]> nextKey(byte[] key) throws KernelBpfException {
        return KernelBpf.mapGetNextKey(fd, key, spec.keySize());
    }

    /** Every key in the kernel's iteration order (BPF_MAP_GET_NEXT_KEY from NULL on). */
    public List<byte[]> keys() throws KernelBpfException {
        List<byte[]> keys = new ArrayList<>();
        Optional<byte[]> k = nextKey(null);
        while (k.isPresent()) {
            keys.add(k.get());
            k = nextKey(k.get());
        }
        return keys;
    }

    @Override
    public void close() throws KernelBpfException {
        if (closed) return;
        closed = true;
        KernelBpf.close(fd);
    }

    @Override
    public String toString() {
        return KernelBpf.describe(spec) + " fd " + fd;
    }
}
