package org.obpf.offload.rfpc.sim;

/** The simulated core stopped on an access or instruction it cannot perform; the message names pc and cause. */
public final class SimFault extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int pc;

    public SimFault(int pc, String cause) {
        super(String.format("pc 0x%08x: %s", pc, cause));
        this.pc = pc;
    }

    /** Address of the instruction that faulted. */
    public int pc() {
        return pc;
    }
}
