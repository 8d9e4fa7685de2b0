/*
 * bounded_loop: a real (not unrolled) loop with a constant bound, as kernels >= 5.3 verify
 * it, over the packet bytes.
 *
 * Program count_zero_bytes (SEC "xdp"): counts the zero bytes among the first 32 bytes of the
 * packet (fewer when the packet is shorter) and returns XDP_DROP (1) when the count is at
 * least 16, else XDP_PASS (2). 32 zero bytes -> 1; a 10-byte packet of zeros -> 2 (count 10);
 * 64 bytes of 0xff -> 2.
 */
#include "obpf_corpus.h"

SEC("xdp")
int count_zero_bytes(struct xdp_md *ctx)
{
	__u8 *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 zeros = 0;

#pragma clang loop unroll(disable)
	for (int i = 0; i < 32; i++) {
		if ((void *)(data + i + 1) > data_end)
			break;
		if (data[i] == 0)
			zeros++;
	}
	return zeros >= 16 ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
