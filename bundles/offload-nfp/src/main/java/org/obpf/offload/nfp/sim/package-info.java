/**
 * The NFP-6xxx microengine simulator: instruction fields ({@link org.obpf.offload.nfp.sim.Fields}),
 * words decoded once at load ({@code Op}), the execution loop with the hardware's defer slots and
 * latencies ({@link org.obpf.offload.nfp.sim.Microengine}), and the firmware entry interface.
 * Private to the bundle.
 */
package org.obpf.offload.nfp.sim;
