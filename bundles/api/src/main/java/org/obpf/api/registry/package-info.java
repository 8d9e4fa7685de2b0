/**
 * The running system as user space sees it through {@code bpf()}: programs and maps by id, pins
 * by path, {@code BPF_PROG_TEST_RUN}, the verifier, the trace buffer and feature probes
 * ({@link org.obpf.api.registry.BpfSystem}). The shell reaches core through this package only.
 */
@Export
@Version("0.2.0")
package org.obpf.api.registry;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
