package org.obpf.api.offload;

import org.obpf.api.BpfException;
import org.obpf.api.map.MapSpec;

/**
 * A map held in a device's memory. Host-side operations go through the device; errors carry
 * the kernel's numbers (ENOENT for a missing key, EEXIST/ENOENT for update flags, E2BIG when full).
 */
public interface DeviceMap extends AutoCloseable {
    MapSpec spec();

    /** Device address of the map object, for static linking. */
    long deviceAddress();

    /**
     * Device address of the first value of a map with direct value access (an array map's
     * values, for {@code BPF_PSEUDO_MAP_IDX_VALUE} loads and inlined lookups); -1 when the map
     * has none.
     */
    default long valueAddress() {
        return -1;
    }

    byte[] lookup(byte[] key) throws BpfException;

    void update(byte[] key, byte[] value, long flags) throws BpfException;

    void delete(byte[] key) throws BpfException;

    /** The key after {@code key} in the map's order, the first key for {@code null}; ENOENT after the last. */
    byte[] nextKey(byte[] key) throws BpfException;

    /** Frees the map's device memory. */
    @Override
    void close();
}
