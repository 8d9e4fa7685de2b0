/**
 * The RISC-V JIT back-ends (rv64 host, rv32 SmartNIC core), their disassemblers and ELF object
 * writers. Private to the bundle: other bundles reach them as {@link org.obpf.api.jit.JitBackend},
 * {@link org.obpf.api.jit.code.MachineDisassembler} and {@link org.obpf.api.jit.code.ObjectWriter}
 * services with {@code bpf.arch=riscv64} or {@code bpf.arch=riscv32}.
 */
package org.obpf.jit.riscv;
