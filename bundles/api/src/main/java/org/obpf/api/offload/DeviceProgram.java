package org.obpf.api.offload;

import org.obpf.api.BpfException;

/** A program loaded on a device. */
public interface DeviceProgram extends AutoCloseable {
    String name();

    /** Device address where the code was placed. */
    long loadAddress();

    /** Size of the loaded code in bytes. */
    int size();

    /** Runs the program once per {@code repeat} on a copy of {@code packet}, like {@code BPF_PROG_TEST_RUN}. */
    DeviceRun testRun(byte[] packet, int repeat) throws BpfException;

    /**
     * Runs the program once with {@code memory} as its context, as the conformance suite runs
     * programs: r1 = the device address of a copy of it, r2 = its length, both 0 when it is empty
     * or null. Answers the whole 64-bit r0.
     *
     * @throws BpfException EOPNOTSUPP when the device cannot run programs that way
     */
    default long runWithMemory(byte[] memory) throws BpfException {
        throw new BpfException(org.obpf.api.Errno.EOPNOTSUPP, name() + ": this device runs programs on packets only");
    }

    /** Removes the program from the device (the kernel's {@code destroy} offload op). */
    @Override
    void close();

    /**
     * @param retval         the program's return value (r0) of the last run
     * @param packet         the packet after the last run
     * @param cycles         simulated device cycles per run (0 if the device does not count them)
     * @param durationNanos  wall time per run, averaged over the repeats
     */
    record DeviceRun(long retval, byte[] packet, long cycles, long durationNanos) {}
}
