/**
 * The offload SPI: devices that run BPF programs in their own memory (simulated SmartNICs), and
 * the query interface that says which devices exist and whether a program can go to one.
 * Modelled on the kernel's {@code kernel/bpf/offload.c}.
 */
@Export
@Version("0.3.0")
package org.obpf.api.offload;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
