package org.obpf.api.map;

import java.util.List;
import java.util.Optional;
import org.obpf.api.BpfException;

/**
 * The maps of a running system by file descriptor, as the kernel's fd table holds them: the
 * shell and the loader create maps here ({@code BPF_MAP_CREATE}) and name them by fd in
 * {@code lddw} pseudo map loads. Fds are small integers from 3 upward, the lowest free one first.
 */
public interface MapRegistry {

    /**
     * {@code BPF_MAP_CREATE}.
     *
     * @return the new map's fd
     * @throws BpfException {@code EINVAL} for a definition the map type refuses, {@code E2BIG} for
     *     sizes beyond its limits, {@code ENOMEM} when memory cannot be had, {@code EOPNOTSUPP}
     *     for a map type OBPF does not implement
     */
    int create(MapSpec spec) throws BpfException;

    /** The map behind {@code fd}; {@code EBADF} if the fd names no map. */
    BpfMap get(int fd) throws BpfException;

    Optional<BpfMap> byId(int id);

    /** Closes {@code fd}; the map is freed when no fd and no program holds it any more. */
    void close(int fd) throws BpfException;

    /** Open fds, ascending. */
    List<Integer> fds();
}
