# The x86-64 JIT back-end (bpf.arch=x86_64): host execution in-process. Like every back-end it
# needs the api bundle only; core finds it through the service registry.
name = obpf-jit-x86_64
version = ${project.version}
description = x86-64 JIT back-end, its disassembler and ELF object writer
features = framework
bundles = \
  org.obpf:api:${project.version}, \
  org.obpf:jit-x86_64:${project.version}
