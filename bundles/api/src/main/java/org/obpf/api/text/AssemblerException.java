package org.obpf.api.text;

/** Assembly text that does not assemble; the message names the 1-based source line. */
public class AssemblerException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int line;

    public AssemblerException(int line, String reason) {
        super("line " + line + ": " + reason);
        this.line = line;
    }

    /** 1-based line of the source text. */
    public int line() {
        return line;
    }
}
