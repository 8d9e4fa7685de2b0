/*
 * kconfig_extern (rejected): reads an extern __kconfig variable, which libbpf fills from the
 * running kernel's configuration. The loader rejects it:
 * "extern variable (.kconfig) 'LINUX_KERNEL_VERSION' is not supported".
 */
#include "../obpf_corpus.h"

extern unsigned int LINUX_KERNEL_VERSION __kconfig;

SEC("xdp")
int kernel_version(struct xdp_md *ctx)
{
	return LINUX_KERNEL_VERSION > 0x050000 ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
