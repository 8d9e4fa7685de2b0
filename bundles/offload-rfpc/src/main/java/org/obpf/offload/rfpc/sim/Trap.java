package org.obpf.offload.rfpc.sim;

/**
 * What a hart cannot do alone: fetching from an address outside code memory (a firmware routine
 * of the device, or the return address that ends a run) and {@code ecall}/{@code ebreak}.
 */
public interface Trap {
    /** Returned by the handlers to stop the hart. */
    long STOP = -1L;

    /**
     * Control reached {@code address}, which is not in code memory. A firmware routine runs here
     * (arguments in the hart's registers by the ilp32 calling convention) and answers the address
     * to continue at (usually {@code ra}), or {@link #STOP}.
     *
     * @throws SimFault when nothing lives at that address
     */
    long fetchOutside(Hart hart, int address);

    /** {@code ecall} at {@code pc}: answers the address to continue at or {@link #STOP}. */
    long ecall(Hart hart, int pc);

    /** {@code ebreak} at {@code pc}: answers the address to continue at or {@link #STOP}. */
    default long ebreak(Hart hart, int pc) {
        throw new SimFault(pc, "ebreak");
    }
}
