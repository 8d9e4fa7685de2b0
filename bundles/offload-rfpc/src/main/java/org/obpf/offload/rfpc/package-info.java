/**
 * The RFPC, a simulated SmartNIC with RV32IMC flow-processing cores: the device
 * ({@link org.obpf.offload.rfpc.RfpcDevice}), its address map ({@link org.obpf.offload.rfpc.Layout}),
 * maps in its DRAM, firmware helper routines, and the loader for static and dynamic offload.
 * Private to the bundle: other bundles see devices as {@link org.obpf.api.offload.OffloadDevice}
 * services with {@code bpf.offload.arch=riscv32}.
 */
package org.obpf.offload.rfpc;
