package org.obpf.api.jit;

import java.util.Collection;
import java.util.List;

/** No back-end for the arch asked for is installed; the message lists the installed ones. */
public class NoSuchBackendException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String arch;
    private final List<String> installed;

    public NoSuchBackendException(String arch, Collection<String> installed) {
        super("no JIT back-end for arch '" + arch + "' is installed ("
                + (installed.isEmpty() ? "none is installed" : "installed: " + String.join(", ", installed))
                + "); install its feature or bundle, e.g. feature:install obpf-jit-" + arch);
        this.arch = arch;
        this.installed = List.copyOf(installed);
    }

    public String arch() {
        return arch;
    }

    public List<String> installed() {
        return installed;
    }
}
