/** The example back-end for arch {@code bpf}. Private to its bundle: it is reached only as a service. */
package org.obpf.examples.jit.bpf;
