/** Errors shared by every OBPF interface, with the kernel's error numbers. */
@Export
@Version("0.1.0")
package org.obpf.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
