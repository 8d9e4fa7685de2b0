# Everything OBPF ships; what ./obpf starts by default.
name = all
version = ${project.version}
description = Every OBPF feature
features = framework, obpf-core, obpf-loader, obpf-shell, obpf-jit-x86_64, obpf-jit-riscv, obpf-offload-rfpc, obpf-jit-nfp, obpf-offload-nfp
