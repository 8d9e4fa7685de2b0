package org.obpf.api.jit;

import java.util.List;

/** Linking failed: every unresolved symbol and out-of-range value is listed, not just the first. */
public class LinkException extends Exception {
    private static final long serialVersionUID = 1L;
    private final List<String> problems;

    public LinkException(String arch, List<String> problems) {
        super(arch + ": link failed: " + String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
