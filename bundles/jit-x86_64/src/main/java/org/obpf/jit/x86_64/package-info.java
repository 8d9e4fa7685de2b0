/**
 * The x86-64 JIT back-end, its disassembler and its ELF object writer. Private to the bundle:
 * other bundles reach it as {@link org.obpf.api.jit.JitBackend},
 * {@link org.obpf.api.jit.code.MachineDisassembler} and {@link org.obpf.api.jit.code.ObjectWriter}
 * services with {@code bpf.arch=x86_64}.
 */
package org.obpf.jit.x86_64;
