package org.obpf.api.jit;

/**
 * One installed back-end as the registry sees it.
 *
 * @param arch          its {@code bpf.arch}
 * @param bundle        symbolic name of the bundle that registered it
 * @param bundleVersion that bundle's version
 * @param serviceId     its OSGi service id
 * @param ranking       its service ranking; the highest ranking back-end of an arch is the one used
 * @param needsZext     {@link JitBackend#needsZext()}
 * @param capabilities  {@link JitBackend#capabilities()}
 */
public record BackendInfo(String arch, String bundle, String bundleVersion, long serviceId, int ranking,
                          boolean needsZext, Capabilities capabilities) {}
