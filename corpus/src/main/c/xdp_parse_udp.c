/*
 * xdp_parse_udp: an XDP parser for Ethernet / IPv4 / UDP with a bounds check before every
 * header read, as the verifier demands.
 *
 * Program xdp_parse_udp (SEC "xdp"), on the packet in ctx->data .. ctx->data_end:
 *   - shorter than an Ethernet header (14 bytes)             -> XDP_ABORTED (0)
 *   - EtherType not IPv4 (0x0800)                             -> XDP_PASS (2)
 *   - IPv4 header truncated or IHL < 5                        -> XDP_DROP (1)
 *   - IPv4 but not UDP (protocol 17)                          -> XDP_PASS (2)
 *   - UDP header truncated                                    -> XDP_DROP (1)
 *   - UDP destination port 9 (discard)                        -> XDP_DROP (1)
 *   - UDP destination port 7 (echo)                           -> XDP_TX (3)
 *   - any other UDP packet                                    -> XDP_PASS (2)
 * The IPv4 header length comes from IHL, so options are skipped: a 42-byte packet
 * eth(type 0x0800) + ip(ihl 5, proto 17) + udp(dport 9) gives 1; with dport 53 it gives 2.
 * No maps, no helpers.
 */
#include "obpf_corpus.h"

SEC("xdp")
int xdp_parse_udp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return XDP_ABORTED;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;

	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end)
		return XDP_DROP;
	if (ip->ihl < 5)
		return XDP_DROP;
	if (ip->protocol != IPPROTO_UDP)
		return XDP_PASS;

	struct udphdr *udp = (void *)ip + ip->ihl * 4;
	if ((void *)(udp + 1) > data_end)
		return XDP_DROP;
	if (udp->dest == bpf_htons(9))
		return XDP_DROP;
	if (udp->dest == bpf_htons(7))
		return XDP_TX;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
