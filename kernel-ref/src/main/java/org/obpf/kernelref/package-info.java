/**
 * The Linux kernel as OBPF's reference: the {@code bpf(2)} system call through the Foreign
 * Function and Memory API ({@link org.obpf.kernelref.KernelBpf}), maps and programs that own their
 * fds ({@link org.obpf.kernelref.KernelMap}, {@link org.obpf.kernelref.KernelProgram}), the
 * verifier as an oracle ({@link org.obpf.kernelref.KernelVerifier}) and OBPF's flat programs run
 * on the kernel ({@link org.obpf.kernelref.FlatRunner}). Needs root (or CAP_BPF and friends);
 * {@link org.obpf.kernelref.KernelBpf#available()} says whether this process has them.
 */
package org.obpf.kernelref;
