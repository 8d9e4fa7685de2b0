/*
 * bpf2bpf_calls: BPF-to-BPF calls. Static noinline functions and one global function live in
 * .text; two entry programs in different sections call them, and one sub-program calls another.
 *
 * .text functions:
 *   fold(x)          static: (x & 0xffff) + (x >> 16), twice (16-bit one's complement fold)
 *   sum_bytes(p,n)   static: sum of the first n (<= 64) bytes at p, as u32, then fold()
 *   scale(x, k)      global (non-static, so its call relocation is against its own symbol
 *                    with imm -1, not the .text section symbol): returns x * k + 1
 * Programs:
 *   xdp_checksum (SEC "xdp"): s = sum_bytes(packet, end, packet length) (at most 64 bytes
 *       summed); returns XDP_DROP (1) when s is odd, XDP_PASS (2) when even. A 14-byte packet
 *       01 followed by 13 zeros -> 1; 02 followed by 13 zeros -> 2; an empty packet -> 2;
 *       64 bytes of 0xff: 64 * 255 = 16320, folded 16320 -> 2.
 *   sock_scale (SEC "socket"): returns scale(len, 3) + fold(len) with len = skb->len:
 *       10 bytes -> 31 + 10 = 41; 70000 bytes -> 210001 + fold(0x11170) = 210001 + 4465 = 214466.
 *       (sock_scale through BPF_PROG_TEST_RUN: the kernel pulls the first 14 bytes as the Ethernet
 *       header, so 24 bytes of input give len 10 and 41.)
 */
#include "obpf_corpus.h"

static __noinline __u32 fold(__u32 x)
{
	x = (x & 0xffff) + (x >> 16);
	x = (x & 0xffff) + (x >> 16);
	return x;
}

static __noinline __u32 sum_bytes(__u8 *p, void *end, __u32 n)
{
	__u32 sum = 0;
	for (__u32 i = 0; i < 64 && i < n; i++) {
		if ((void *)(p + i + 1) > end)
			break;
		sum += p[i];
	}
	return fold(sum);
}

__noinline __u32 scale(__u32 x, __u32 k)
{
	return x * k + 1;
}

SEC("xdp")
int xdp_checksum(struct xdp_md *ctx)
{
	__u8 *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 n = (__u32)(data_end - (void *)data);

	__u32 s = sum_bytes(data, data_end, n);
	return (s & 1) ? XDP_DROP : XDP_PASS;
}

SEC("socket")
int sock_scale(struct __sk_buff *skb)
{
	__u32 len = skb->len;
	return scale(len, 3) + fold(len);
}

char LICENSE[] SEC("license") = "GPL";
