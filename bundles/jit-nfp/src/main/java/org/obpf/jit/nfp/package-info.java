/**
 * The Netronome NFP-6xxx back-end (offload only): the microengine encoder ({@link org.obpf.jit.nfp.NfpAsm}),
 * the BPF translator, the relocating linker and the disassembler. Private to the bundle: other
 * bundles reach it as {@link org.obpf.api.jit.JitBackend} and
 * {@link org.obpf.api.jit.code.MachineDisassembler} services with {@code bpf.arch=nfp}.
 */
package org.obpf.jit.nfp;
