/**
 * The kernel's passes between verification and code generation, on the BPF instruction set:
 * map references to addresses, context-access conversion, helper binding with inlined array
 * lookups, sub-program resolution. Each pass is a pure function whose output can be dumped.
 */
package org.obpf.core.prelink;
