/** The eBPF interpreter: programs decoded once, run over checked native memory. */
package org.obpf.core.interp;
