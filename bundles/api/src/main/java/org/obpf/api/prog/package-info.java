/** Program types, with the kernel's UAPI numbering and names, their context layouts ({@code struct xdp_md}, {@code struct __sk_buff}) and {@code BPF_PROG_TEST_RUN}'s request and result. */
@Export
@Version("0.2.0")
package org.obpf.api.prog;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
