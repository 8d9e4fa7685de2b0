package org.obpf.api.helper;

import java.lang.foreign.MemorySegment;

/**
 * What a helper may use of the program run that calls it. Implemented by each execution engine;
 * valid only during the call it is passed to.
 */
public interface HelperContext {

    /**
     * The memory {@code [address, address + length)} as a segment, after checking that the
     * running program may read it (and write it, if {@code write}).
     *
     * @throws HelperException if the range is not memory the program may touch
     */
    MemorySegment memory(long address, long length, boolean write);

    /**
     * Lets the program touch {@code region} until the end of the run, the way a map lookup hands
     * out a pointer to a map value. The region must be native memory that stays allocated for the
     * whole run.
     */
    void grant(MemorySegment region, boolean writable);

    /** The processor the program runs on, as {@code bpf_get_smp_processor_id} reports it. */
    int processorId();

    /**
     * Keeps {@code resource} until the run ends, then closes it: how a helper keeps a map alive
     * whose memory it handed to the program.
     *
     * @return true if the run took {@code resource}; false if it already holds it or the engine
     *     does not hold resources, and the caller keeps ownership
     */
    default boolean hold(AutoCloseable resource) {
        return false;
    }

    /**
     * Calls back into the running program: runs the BPF sub-program {@code function} (the value
     * the program loaded with {@code lddw rX, BPF_PSEUDO_FUNC}) with r1..r5 in a new frame and
     * returns its r0, as {@code bpf_loop} and {@code bpf_for_each_map_elem} call their callbacks.
     *
     * @throws HelperException if {@code function} is not a callback of the running program, the
     *     call would exceed the frame limit, or the engine cannot call back
     */
    default long callback(long function, long r1, long r2, long r3, long r4, long r5) {
        throw new HelperException("this execution engine cannot call back into BPF code");
    }
}
