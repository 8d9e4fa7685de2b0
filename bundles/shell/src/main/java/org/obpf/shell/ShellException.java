package org.obpf.shell;

/**
 * A command's refusal of bad input: one line, no stack trace. Gogo prints a failed command's
 * exception with {@code toString()}, so that is just the message.
 */
final class ShellException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ShellException(String message) {
        super(message, null, false, false);
    }

    @Override
    public String toString() {
        return getMessage();
    }
}
