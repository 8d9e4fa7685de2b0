/**
 * The eBPF verifier, after the Linux kernel's {@code kernel/bpf/verifier.c}.
 *
 * <p>Entry: {@link org.obpf.core.verifier.Verifier#verify(long[], org.obpf.core.verifier.VerifierOptions)}
 * returns a {@link org.obpf.core.verifier.VerifierResult} (verdict, rule broken, log, counters,
 * per-instruction {@link org.obpf.core.verifier.InsnAux}: reached or not, context field accessed);
 * {@link org.obpf.core.verifier.VerifierResult#requireAccepted()} turns a refusal into the kernel's
 * errno. {@link org.obpf.core.verifier.Zext#insert(long[])} is the zero-extension pass for
 * back-ends whose {@code needsZext()} is true, run on a verified program.
 *
 * <p>Parts, each small and tested on its own: the abstract domains
 * {@link org.obpf.core.verifier.Tnum} ({@code tnum.c}) and {@link org.obpf.core.verifier.Scalar}
 * (the five views of a value, {@code reg_bounds_sync}, the ALU transfer functions, branch
 * refinement); register and stack state ({@link org.obpf.core.verifier.Reg},
 * {@link org.obpf.core.verifier.FuncState}); helper prototypes per program type
 * ({@link org.obpf.core.verifier.HelperProto}); context rules per program type
 * ({@link org.obpf.core.verifier.CtxAccess}); static register liveness for pruning.
 * {@code kernel-ref}'s differential tests compare the verdicts with the host kernel's on the
 * loader corpus, the data cases and seeded random programs.
 *
 * <p>Policy and known differences from the kernel: the loader is treated as privileged (pointer
 * comparisons, pointer copies into maps and pointer differences are allowed) except that reading
 * never-written stack is refused unless {@code allowUninitStack}; precision tracking backtracks
 * over each path's instruction history and falls back to "every scalar precise" through callbacks
 * and stack atomics; register liveness is a static pass, stack liveness uses read marks as the
 * kernel does; loops are, as in the kernel, explored iteration by iteration; callbacks
 * ({@code bpf_loop}, {@code bpf_for_each_map_elem}) converge
 * by widening changed scalars to unknown; BTF, kfuncs, spin locks, timers, dynptrs, iterators and
 * sockets are not modelled.
 */
package org.obpf.core.verifier;
