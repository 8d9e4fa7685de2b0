/** Map types and definitions with the kernel's UAPI numbering, and the host-side map operations ({@link org.obpf.api.map.BpfMap}, {@link org.obpf.api.map.MapRegistry}, {@link org.obpf.api.map.RingBuffer}). */
@Export
@Version("0.2.0")
package org.obpf.api.map;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
