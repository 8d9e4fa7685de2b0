/** Program types, with the kernel's UAPI numbering and names. */
@Export
@Version("0.1.0")
package org.obpf.api.prog;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
