/** JIT dispatch: the registry of installed back-ends, keyed by {@code bpf.arch}. */
package org.obpf.core.jit;
