package org.obpf.jit.nfp;

/** The NFP back-end (work in progress: the translator follows). */
public final class NfpJitBackend {
    public static final String ARCH = "nfp";
}
