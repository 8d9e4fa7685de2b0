# The RFPC, a simulated SmartNIC with RV32IMC cores: two devices (rfpc0 small, rfpc1 large) as
# OffloadDevice services with bpf.offload.arch=riscv32. Like every device it needs the api bundle
# only; it finds the riscv32 back-end through the service registry and keeps its maps and
# queries working without it.
name = obpf-offload-rfpc
version = ${project.version}
description = Simulated RISC-V SmartNIC (RV32IMC cores): offload devices rfpc0 and rfpc1
features = framework
bundles = \
  org.obpf:api:${project.version}, \
  org.obpf:offload-rfpc:${project.version}
