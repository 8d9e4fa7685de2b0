/** The eBPF instruction set of RFC 9669: encodings, opcodes and the instruction model. */
@Export
@Version("0.1.0")
package org.obpf.api.insn;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
