/**
 * The eBPF verifier, after the Linux kernel's {@code kernel/bpf/verifier.c}: abstract domains
 * ({@link org.obpf.core.verifier.Tnum}, {@link org.obpf.core.verifier.Scalar}), register and stack
 * state, a path-sensitive checker with state pruning, helper prototypes, context-access rules per
 * program type, the verifier log and the 32-bit zero-extension pass.
 */
package org.obpf.core.verifier;
