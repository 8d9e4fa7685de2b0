package org.obpf.api.offload;

import org.obpf.api.BpfException;
import org.obpf.api.map.MapSpec;

/**
 * A device that runs BPF programs in its own memory (a simulated SmartNIC). Registered as an
 * OSGi service with {@value #DEV} (its unique name) and {@value #ARCH} (the {@code bpf.arch} of
 * the back-end that generates its code; the device finds that back-end through the service
 * registry, never by importing it).
 *
 * <p>The operations follow the kernel's {@code bpf_prog_offload_ops} and map offload ops:
 * {@link #check} is its prepare/verify hook, {@link #load} translate and finalize,
 * {@link DeviceProgram#close()} destroy.
 */
public interface OffloadDevice {
    String DEV = "bpf.offload.dev";
    String ARCH = "bpf.offload.arch";

    String name();

    String arch();

    DeviceInfo info();

    /** The device's own reasons to refuse a program (memory, firmware helpers, map types). */
    OffloadCheck check(OffloadCandidate candidate);

    /** Allocates a map in device memory. */
    DeviceMap createMap(MapSpec spec) throws BpfException;

    /** Loads code onto the device. */
    DeviceProgram load(DeviceImage image) throws BpfException;
}
