/*
 * loop_callback: bpf_loop (helper 181, kernel >= 5.17) with a static callback function, whose
 * address is taken by an ld_imm64 with a relocation against .text (libbpf's
 * RELO_SUBPROG_ADDR; src BPF_PSEUDO_FUNC after loading).
 *
 * Program sum_squares (SEC "xdp"): n = min(packet length, 16); runs bpf_loop(n, add_square,
 * &acc, 0) where add_square(i, acc) adds i*i to acc->sum; returns XDP_DROP (1) when the sum is
 * greater than 100, else XDP_PASS (2). A 5-byte packet: 0+1+4+9+16 = 30 -> 2; a 8-byte
 * packet: 140 -> 1; 64 bytes (capped at 16): 1240 -> 1.
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
	__u32 n = ctx->data_end - ctx->data;
	struct acc a = { 0 };

	if (n > 16)
		n = 16;
	bpf_loop(n, add_square, &a, 0);
	return a.sum > 100 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
