package org.obpf.core.conformance;

import java.util.Set;
import org.obpf.api.BpfException;

/**
 * An execution engine the conformance suite runs: the interpreter now, each JIT back-end and each
 * simulated device later.
 */
public interface Engine {

    /** Conformance groups of RFC 9669 section 2.4 that every complete implementation has. */
    Set<String> RFC9669_GROUPS = Set.of("base32", "base64", "atomic32", "atomic64", "divmul32", "divmul64");

    /** Short name, as given to {@code --engine}: {@code interp}, {@code x86_64}... */
    String name();

    /**
     * Runs {@code program} (one little-endian 64-bit word per instruction slot) with
     * {@code memory} as context: r1 = the address of a copy of it in native memory, r2 = its
     * length, both 0 if it is empty or null.
     *
     * @return r0 at exit
     * @throws BpfException if the engine refuses the program or the run fails
     */
    long run(long[] program, byte[] memory) throws BpfException;

    /** The conformance groups this engine implements; tests needing others are skipped. */
    default Set<String> groups() {
        return RFC9669_GROUPS;
    }
}
