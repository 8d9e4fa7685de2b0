package org.obpf.core.map;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.IntFunction;
import org.obpf.api.BpfException;
import org.obpf.api.Errno;
import org.obpf.api.map.BpfMap;
import org.obpf.api.map.MapRegistry;
import org.obpf.api.map.MapSpec;

/**
 * The map fd table: fds from 3 upward (0..2 are stdin, stdout, stderr in a process's table), the
 * lowest free one first, as the kernel's {@code get_unused_fd_flags} hands them out. An fd holds
 * a reference on its map; closing it drops that reference.
 */
public final class MapTable implements MapRegistry {
    public static final int FIRST_FD = 3;

    private final TreeMap<Integer, AbstractBpfMap> byFd = new TreeMap<>();
    private final int cpus;
    private volatile IntFunction<Object> programs = fd -> null;

    public MapTable() {
        this(Cpus.possible());
    }

    /** A table whose per-CPU maps keep {@code cpus} values. */
    public MapTable(int cpus) {
        this.cpus = cpus;
    }

    /** How prog_array updates find programs by fd. */
    public MapTable programs(IntFunction<Object> byFd) {
        this.programs = byFd;
        return this;
    }

    @Override
    public int create(MapSpec spec) throws BpfException {
        return create(spec, 0);
    }

    /**
     * {@code BPF_MAP_CREATE} with {@code inner_map_fd} (0: none), the template of a map-in-map.
     * Map-in-map slots are then set from the host with map fds of this table.
     */
    public int create(MapSpec spec, int innerMapFd) throws BpfException {
        AbstractBpfMap inner = innerMapFd == 0 ? null : get(innerMapFd);
        AbstractBpfMap map = Maps.create(spec, cpus, inner);
        if (map instanceof ProgArrayMap pa) pa.programs(fd -> programs.apply(fd));
        if (map instanceof MapOfMaps mm) mm.maps(this::find);
        return install(map);
    }

    private synchronized AbstractBpfMap find(int fd) {
        return byFd.get(fd);
    }

    /** Gives {@code map} (whose reference the table takes over) the lowest free fd. */
    public synchronized int install(AbstractBpfMap map) {
        int fd = FIRST_FD;
        while (byFd.containsKey(fd)) fd++;
        byFd.put(fd, map);
        return fd;
    }

    @Override
    public synchronized AbstractBpfMap get(int fd) throws BpfException {
        AbstractBpfMap m = byFd.get(fd);
        if (m == null) throw new BpfException(Errno.EBADF, "fd " + fd + " is not a map");
        return m;
    }

    @Override
    public synchronized Optional<BpfMap> byId(int id) {
        return byFd.values().stream().filter(m -> m.id() == id).findFirst().map(m -> (BpfMap) m);
    }

    @Override
    public void close(int fd) throws BpfException {
        AbstractBpfMap m;
        synchronized (this) {
            m = byFd.remove(fd);
        }
        if (m == null) throw new BpfException(Errno.EBADF, "fd " + fd + " is not a map");
        m.release();
    }

    @Override
    public synchronized List<Integer> fds() {
        return new ArrayList<>(byFd.keySet());
    }
}
