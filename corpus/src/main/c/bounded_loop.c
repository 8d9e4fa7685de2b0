/*
 * bounded_loop: a real (not unrolled) loop with a constant bound, as kernels >= 5.3 verify
 * it, over the packet bytes.
 *
 * Program sum_bytes_loop (SEC "xdp"): sums the first 32 bytes of the packet (fewer when the
 * packet is shorter) and returns XDP_DROP (1) when the sum is greater than 1000, else
 * XDP_PASS (2). 32 bytes of 0xff (sum 8160) -> 1; 10 bytes of 0xff (sum 2550) -> 1;
 * 64 bytes of 0x01 (sum 32, only 32 bytes counted) -> 2; an empty packet -> 2.
 */
#include "obpf_corpus.h"

SEC("xdp")
int sum_bytes_loop(struct xdp_md *ctx)
{
	__u8 *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 sum = 0;

#pragma clang loop unroll(disable)
	for (int i = 0; i < 32; i++) {
		if ((void *)(data + i + 1) > data_end)
			break;
		sum += data[i];
	}
	return sum > 1000 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
