/**
 * Running host JIT code in-process: executable memory that is never writable and executable at
 * once ({@link org.obpf.core.exec.ExecutableMemory}), helpers reachable at native addresses
 * ({@link org.obpf.core.exec.HelperStubs}), loaded programs and their invoker
 * ({@link org.obpf.core.exec.JitProgram}), and the conformance engine for any host back-end
 * ({@link org.obpf.core.exec.HostJitEngine}). The contract with the generated code is
 * {@link org.obpf.api.jit.code.HostAbi}.
 */
package org.obpf.core.exec;
