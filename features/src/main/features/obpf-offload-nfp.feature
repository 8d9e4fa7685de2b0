# A simulated Netronome NFP-6xxx SmartNIC: device nfp0 as an OffloadDevice service with
# bpf.offload.arch=nfp. Like every device it needs the api bundle only; it finds the nfp back-end
# (jit-nfp) through the service registry and keeps its maps and queries working without it.
name = obpf-offload-nfp
version = ${project.version}
description = Simulated Netronome NFP SmartNIC (one microengine): offload device nfp0
features = framework
bundles = \
  org.obpf:api:${project.version}, \
  org.obpf:offload-nfp:${project.version}
