package org.obpf.offload.nfp.sim;

/**
 * The firmware routines outside the program's code: entered when control reaches a code-store
 * word the firmware owns. The microengine passes itself so a routine reads and writes the
 * registers, local memory and DRAM as the firmware's calling convention says.
 */
public interface Firmware {
    /** Whether {@code word} is a firmware entry. */
    boolean owns(int word);

    /**
     * Runs the routine at {@code word}; answers the word to continue at, or -1 when the program is
     * done with the packet (the next-packet entry).
     */
    int call(int word, Microengine me);

    /** Cycles a routine takes (added to the run's count). */
    default int cycles(int word) {
        return 50;
    }
}
