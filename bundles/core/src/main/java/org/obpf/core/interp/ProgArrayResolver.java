package org.obpf.core.interp;

/**
 * Finds the prog array behind the map pointer a program passes to {@code bpf_tail_call} in r2
 * (after prelink, {@code lddw r2, map} holds the map's address, as in the kernel).
 */
@FunctionalInterface
public interface ProgArrayResolver {

    /** The prog array at {@code mapAddress}, or null if that address is not a prog array. */
    ProgArray resolve(long mapAddress);

    /** A resolver that knows no prog arrays: every tail call is an error. */
    static ProgArrayResolver none() {
        return address -> null;
    }
}
