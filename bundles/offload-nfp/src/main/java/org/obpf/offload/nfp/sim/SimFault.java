package org.obpf.offload.nfp.sim;

/** The simulated microengine stopped on something the hardware would not do or this model does not cover. */
public final class SimFault extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SimFault(String message) {
        super(message);
    }
}
