/** Map types and map definitions, with the kernel's UAPI numbering. */
@Export
@Version("0.1.0")
package org.obpf.api.map;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
