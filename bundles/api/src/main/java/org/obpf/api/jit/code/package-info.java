/**
 * Code-generation support shared by every back-end: a {@link org.obpf.api.jit.code.CodeBuffer}
 * that owns the bytes, labels, pending fix-ups and relocation records of one image (asmjit's
 * {@code CodeHolder}, Cranelift's {@code MachBuffer}), the kernel-style size convergence passes
 * ({@link org.obpf.api.jit.code.CodeBuffer#converge}), a compile request made ready for a
 * translator ({@link org.obpf.api.jit.code.JitInput}: validated, sub-program starts, blinded),
 * constant blinding as a rewrite of the BPF program ({@link
 * org.obpf.api.jit.code.ConstantBlinding}), the host run-context ABI that
 * host back-ends and core's executor share ({@link org.obpf.api.jit.code.HostAbi}); and the ELF
 * relocatable object layout every back-end's object writer uses ({@link
 * org.obpf.api.jit.code.ElfRelocatable}).
 */
@Export
@Version("0.2.0")
package org.obpf.api.jit.code;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
