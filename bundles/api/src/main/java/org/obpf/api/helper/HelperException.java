package org.obpf.api.helper;

/**
 * Thrown by a helper to end the program run that called it. The engine reports it with the
 * instruction index of the call.
 */
public class HelperException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public HelperException(String message) {
        super(message);
    }

    public HelperException(String message, Throwable cause) {
        super(message, cause);
    }
}
