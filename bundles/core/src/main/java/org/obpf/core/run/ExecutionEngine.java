package org.obpf.core.run;

import java.lang.foreign.MemorySegment;
import java.util.List;
import org.obpf.api.BpfException;
import org.obpf.core.prelink.Prelinked;

/**
 * Something that runs prelinked programs: the interpreter now, a JIT'd image later. The engine
 * prepares a program once; {@code test_run} and other callers then run it with r1 and the memory
 * the run may touch (an engine that does not check memory, like JIT'd code, may ignore it).
 */
public interface ExecutionEngine {

    /** A short name ({@code interp}, {@code jit-x86_64}). */
    String name();

    /** Prepares {@code program} to run (decode, compile, link). */
    Executable prepare(Prelinked program) throws BpfException;

    /** Memory a run may touch, besides its stack. Earlier regions win where regions overlap. */
    record Region(MemorySegment memory, boolean writable) {}

    /** A program ready to run; thread-safe. */
    interface Executable {
        /**
         * Runs once with r1 = {@code ctx} and r2 = {@code r2} (the length, for flat programs; 0 otherwise).
         *
         * @return r0 at exit
         * @throws BpfException when the run ends with an error instead of exit
         */
        long run(long ctx, long r2, List<Region> regions) throws BpfException;
    }
}
