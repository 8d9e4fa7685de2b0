/**
 * The eBPF instruction set of RFC 9669: encodings ({@link org.obpf.api.insn.Insn},
 * {@link org.obpf.api.insn.Opcodes}), the decoded model ({@link org.obpf.api.insn.InsnKind},
 * {@link org.obpf.api.insn.DecodedInsn}, {@link org.obpf.api.insn.CpuVersion}) and the structural
 * validator with the Linux verifier's messages ({@link org.obpf.api.insn.InsnDecoder},
 * {@link org.obpf.api.insn.InvalidInsnException}).
 */
@Export
@Version("0.1.0")
package org.obpf.api.insn;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
