package org.obpf.api.jit;

import java.util.List;
import java.util.Optional;
import java.util.SortedSet;

/**
 * The JIT dispatcher, provided by core: every installed {@link JitBackend}, keyed by arch.
 * Back-ends come and go while the framework runs; answers reflect the moment of the call.
 */
public interface JitRegistry {

    /**
     * The back-end for {@code arch}: of several for one arch, the one with the highest service
     * ranking (then the oldest).
     *
     * @throws NoSuchBackendException naming the installed archs when none serves {@code arch}
     */
    JitBackend backend(String arch) throws NoSuchBackendException;

    /** Like {@link #backend} but empty instead of an error. */
    Optional<JitBackend> find(String arch);

    /** The archs with at least one back-end, sorted. */
    SortedSet<String> archs();

    /** Every installed back-end, sorted by arch then preference. */
    List<BackendInfo> backends();
}
