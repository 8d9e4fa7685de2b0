package org.obpf.bench;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The BPF instructions a benchmark executed or compiled, reported by JMH as a secondary result
 * ({@code :insns}, per second): what every engine benchmark counts.
 */
@AuxCounters(AuxCounters.Type.OPERATIONS)
@State(Scope.Thread)
public class Insns {
    public long insns;

    @Setup(Level.Iteration)
    public void reset() {
        insns = 0;
    }
}
