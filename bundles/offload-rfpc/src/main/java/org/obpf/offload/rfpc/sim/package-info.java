/**
 * The RV32IMC instruction-set simulator of the RFPC's flow-processing cores: code decoded once
 * into 64-bit slots ({@link org.obpf.offload.rfpc.sim.CodeMemory}), a dispatch loop per core
 * ({@link org.obpf.offload.rfpc.sim.Hart}), and each core's view of the device's address map
 * ({@link org.obpf.offload.rfpc.sim.AddressSpace}). Private to the bundle.
 */
package org.obpf.offload.rfpc.sim;
