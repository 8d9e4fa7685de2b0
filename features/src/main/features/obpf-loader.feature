# The ELF object loader: BPF objects compiled by clang, loaded the way libbpf loads them.
name = obpf-loader
version = ${project.version}
description = BPF ELF object loader (libbpf's sections, BTF maps, global data, sub-programs)
features = framework
bundles = \
  org.obpf:api:${project.version}, \
  org.obpf:loader:${project.version}
