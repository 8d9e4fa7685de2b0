# The bpf command scope of the Gogo shell (bpftool's command set). It works without core and
# says so: core's services are optional to it.
name = obpf-shell
version = ${project.version}
description = Gogo commands in scope bpf (prog, map, verify, trace, feature, compare, backend, offload, asm, disasm)
features = framework
bundles = \
  org.obpf:api:${project.version}, \
  org.obpf:shell:${project.version}
