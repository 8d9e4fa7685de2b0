# The RISC-V JIT back-ends: bpf.arch=riscv64 (RV64IMAC host) and riscv32 (RV32IMC SmartNIC cores),
# their disassemblers and ELF object writers. Code for them runs under QEMU (core's QemuEngine).
# Like every back-end it needs the api bundle only; core finds it through the service registry.
name = obpf-jit-riscv
version = ${project.version}
description = RISC-V JIT back-ends (riscv64, riscv32), their disassemblers and ELF object writers
features = framework
bundles = \
  org.obpf:api:${project.version}, \
  org.obpf:jit-riscv:${project.version}
