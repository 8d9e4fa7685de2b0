package org.obpf.core.interp;

import org.obpf.api.BpfException;
import org.obpf.api.Errno;

/**
 * A program run that ended with an error instead of {@code exit}: an access outside the memory
 * the run may touch, a call chain deeper than the kernel allows, a failing helper. The message
 * names the instruction index and what went wrong.
 */
public final class ExecutionException extends BpfException {
    private static final long serialVersionUID = 1L;
    private final int insnIndex;

    public ExecutionException(Errno errno, int insnIndex, String message, Throwable cause) {
        super(errno, message, cause);
        this.insnIndex = insnIndex;
    }

    /** Index of the instruction slot that failed, in the program that was running then. */
    public int insnIndex() {
        return insnIndex;
    }
}
