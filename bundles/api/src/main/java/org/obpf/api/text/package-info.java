/**
 * Text forms of eBPF programs: the llvm-objdump disassembly syntax, the bpf_conformance assembly
 * syntax and the conformance suite's {@code .data} test files.
 */
@Export
@Version("0.1.0")
package org.obpf.api.text;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
