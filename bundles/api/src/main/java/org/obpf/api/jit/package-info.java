/**
 * The JIT back-end SPI. A back-end does code generation only: it turns a prelinked BPF program
 * into a {@link org.obpf.api.jit.RelocatableImage} (code plus relocations against symbols) and
 * binds those symbols in {@link org.obpf.api.jit.JitBackend#link}. Running the code belongs to
 * whoever owns the memory it runs in (core for the host, a device for offload).
 */
@Export
@Version("0.1.0")
package org.obpf.api.jit;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
