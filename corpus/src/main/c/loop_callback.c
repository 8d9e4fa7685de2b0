/*
 * loop_callback: bpf_loop (helper 181, kernel >= 5.17) with a static callback function, whose
 * address is taken by an ld_imm64 with a relocation against .text (libbpf's
 * RELO_SUBPROG_ADDR; src BPF_PSEUDO_FUNC after loading).
 *
 * Program sum_squares (SEC "xdp"): n = the number of bytes after the 14-byte Ethernet header,
 * capped at 16 (0 for shorter packets); runs bpf_loop(n, add_square, &acc, 0) where
 * add_square(i, acc) adds i*i to acc->sum; returns XDP_DROP (1) when the sum is greater than
 * 100, else XDP_PASS (2). A 19-byte packet (n 5): 0+1+4+9+16 = 30 -> 2; 22 bytes (n 8): 140
 * -> 1; 64 bytes (n 16): 1240 -> 1; 14 bytes (n 0): 0 -> 2.
 */
#include "obpf_corpus.h"

struct acc {
	__u64 sum;
};

static int add_square(__u32 i, void *ctx)
{
	struct acc *a = ctx;
	a->sum += (__u64)i * i;
	return 0;
}

SEC("xdp")
int sum_squares(struct xdp_md *ctx)
{
	__u32 len = ctx->data_end - ctx->data;
	__u32 n = len > 14 ? len - 14 : 0;
	struct acc a = { 0 };

	if (n > 16)
		n = 16;
	bpf_loop(n, add_square, &a, 0);
	return a.sum > 100 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
