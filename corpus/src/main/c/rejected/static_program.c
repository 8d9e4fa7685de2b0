/*
 * static_program (rejected): an entry program declared static, which libbpf refuses ("program
 * 'hidden' is static and not supported"); entry programs must be global functions.
 */
#include "../obpf_corpus.h"

SEC("xdp")
static int hidden(struct xdp_md *ctx)
{
	return XDP_PASS;
}

/* keep the static function: take its address in a global */
void *keep_hidden SEC(".data.keep") = hidden;

char LICENSE[] SEC("license") = "GPL";
