/**
 * A simulated Netronome NFP SmartNIC for the {@code nfp} back-end: the device
 * ({@link org.obpf.offload.nfp.NfpDevice}), maps in its DRAM, the firmware routines, and the
 * loader for static and dynamic offload. Private to the bundle: other bundles see devices as
 * {@link org.obpf.api.offload.OffloadDevice} services with {@code bpf.offload.arch=nfp}.
 */
package org.obpf.offload.nfp;
