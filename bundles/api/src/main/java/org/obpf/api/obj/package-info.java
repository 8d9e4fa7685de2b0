/**
 * BPF ELF objects as the loader reads them (libbpf's {@code bpf_object__open} stage): the
 * programs with their instructions relocated to map-index pseudo loads and their sub-programs
 * appended, the map definitions (BTF {@code .maps}, legacy {@code maps}, global data), license
 * and kernel version; and the {@link org.obpf.api.obj.ObjectLoader} service that produces them.
 * Core creates the maps and turns {@code BPF_PSEUDO_MAP_IDX}/{@code BPF_PSEUDO_MAP_IDX_VALUE}
 * into map handles; nothing here touches the kernel.
 */
@Export
@Version("0.1.0")
package org.obpf.api.obj;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
