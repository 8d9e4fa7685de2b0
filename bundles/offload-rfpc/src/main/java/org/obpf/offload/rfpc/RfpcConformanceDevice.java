package org.obpf.offload.rfpc;

/**
 * The RFPC the conformance plugin runs on outside the framework ({@code conformance-plugin
 * --engine rfpc}): a small device named {@code rfpc}, found through {@code ServiceLoader}
 * ({@code META-INF/services/org.obpf.api.offload.OffloadDevice}). Not a DS component.
 */
public final class RfpcConformanceDevice extends RfpcDevice {
    public RfpcConformanceDevice() {
        super(RfpcConfig.small("rfpc"));
    }
}
