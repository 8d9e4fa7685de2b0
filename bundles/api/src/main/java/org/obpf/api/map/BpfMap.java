package org.obpf.api.map;

import org.obpf.api.BpfException;

/**
 * A map as user space sees it through {@code bpf()}: the host-side operations the shell, the
 * loader and offload use. Keys and values are byte arrays in the map's own byte order (the host's,
 * little-endian). Every failure is a {@link BpfException} with the kernel's error number and a
 * message naming the map.
 *
 * <p>Per-CPU maps exchange values for all possible CPUs at once, each rounded up to 8 bytes and
 * concatenated in CPU order, as {@code BPF_MAP_LOOKUP_ELEM} and {@code BPF_MAP_UPDATE_ELEM} do:
 * see {@link #hostValueSize()}. Queue and stack maps have no key: pass {@code null}.
 */
public interface BpfMap {

    /** {@code BPF_ANY}: create a new element or update an existing one. */
    long BPF_ANY = 0;
    /** {@code BPF_NOEXIST}: create a new element only if it did not exist. */
    long BPF_NOEXIST = 1;
    /** {@code BPF_EXIST}: update an existing element only. */
    long BPF_EXIST = 2;
    /** {@code BPF_F_LOCK}: update under the value's {@code bpf_spin_lock}. */
    long BPF_F_LOCK = 4;

    /** The definition the map was created with. */
    MapSpec spec();

    /** The map's id, unique while the system runs (the kernel's map id, from 1). */
    int id();

    /**
     * The map pointer programs hold after prelink ({@code struct bpf_map *}): the address of the
     * map's native header, stable for the map's lifetime.
     */
    long address();

    /** Possible CPUs a per-CPU map keeps values for (1 for other maps). */
    int possibleCpus();

    /** Bytes of a value exchanged with the host: {@code round_up(value_size, 8) * possibleCpus()} for per-CPU maps. */
    int hostValueSize();

    /** {@code BPF_MAP_LOOKUP_ELEM}; for queue and stack maps, peeks. {@code ENOENT} when there is no element. */
    byte[] lookup(byte[] key) throws BpfException;

    /** {@code BPF_MAP_UPDATE_ELEM} with {@link #BPF_ANY}, {@link #BPF_NOEXIST} or {@link #BPF_EXIST}; for queue and stack maps, pushes. */
    void update(byte[] key, byte[] value, long flags) throws BpfException;

    /** {@code BPF_MAP_DELETE_ELEM}. */
    void delete(byte[] key) throws BpfException;

    /** {@code BPF_MAP_LOOKUP_AND_DELETE_ELEM}: pops from a queue or stack, or takes a hash element. */
    byte[] lookupAndDelete(byte[] key) throws BpfException;

    /**
     * {@code BPF_MAP_GET_NEXT_KEY}: the key after {@code key}, or the first key when {@code key} is
     * null (or, for hash maps, not in the map). {@code ENOENT} after the last key.
     */
    byte[] nextKey(byte[] key) throws BpfException;
}
