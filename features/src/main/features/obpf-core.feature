# The OBPF core: the API every back-end and device is written against, and the core services
# (JIT dispatcher, offload query).
name = obpf-core
version = ${project.version}
description = OBPF API and core: program and map registry, JIT dispatch and the offload query
features = framework
bundles = \
  org.obpf:api:${project.version}, \
  org.obpf:core:${project.version}
