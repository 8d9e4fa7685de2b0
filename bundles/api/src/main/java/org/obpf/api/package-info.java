/** Errors shared by every OBPF interface, with the kernel's error numbers. */
@Export
@Version("0.2.0")
package org.obpf.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
