package org.obpf.api;

/**
 * A {@code bpf()}-style failure: the kernel's error number plus a message that names the
 * object and the problem ("map counters: key size 8, expected 4").
 */
public class BpfException extends Exception {
    private static final long serialVersionUID = 1L;
    private final Errno errno;

    public BpfException(Errno errno, String message) {
        super(message);
        this.errno = errno;
    }

    public BpfException(Errno errno, String message, Throwable cause) {
        super(message, cause);
        this.errno = errno;
    }

    public Errno errno() {
        return errno;
    }

    @Override
    public String toString() {
        return errno + ": " + getMessage();
    }
}
