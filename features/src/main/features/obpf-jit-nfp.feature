# The Netronome NFP back-end (bpf.arch=nfp): offload only, code for NFP-6xxx microengines linked at
# a device's load base. Like every back-end it needs the api bundle only.
name = obpf-jit-nfp
version = ${project.version}
description = Netronome NFP offload back-end and its disassembler
features = framework
bundles = \
  org.obpf:api:${project.version}, \
  org.obpf:jit-nfp:${project.version}
