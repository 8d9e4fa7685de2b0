package org.obpf.offload.nfp;

/**
 * The NFP the conformance plugin runs on outside the framework ({@code conformance-plugin
 * --engine nfp}): a device named {@code nfp}, found through {@code ServiceLoader}
 * ({@code META-INF/services/org.obpf.api.offload.OffloadDevice}). Not a DS component.
 */
public final class NfpConformanceDevice extends NfpDevice {
    public NfpConformanceDevice() {
        super("nfp", 1 << 20);
    }
}
