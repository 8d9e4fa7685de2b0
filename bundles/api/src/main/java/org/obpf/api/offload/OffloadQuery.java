package org.obpf.api.offload;

import java.util.List;
import java.util.Optional;

/**
 * The offload query interface, provided by core: which devices exist, what each runs and
 * exposes, and whether a program can go to one. The answer combines the device's own check
 * with the capabilities of the back-end for the device's arch.
 */
public interface OffloadQuery {
    List<DeviceInfo> devices();

    Optional<OffloadDevice> device(String name);

    /** Every reason {@code candidate} cannot go to {@code device}; an unknown device is one reason. */
    OffloadCheck check(String device, OffloadCandidate candidate);
}
