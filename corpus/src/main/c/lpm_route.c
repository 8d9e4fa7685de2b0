/*
 * lpm_route: longest-prefix-match route lookup on the IPv4 destination in an LPM_TRIE map.
 *
 * Map routes LPM_TRIE key struct route_key {u32 prefixlen; u8 addr[4]} (8 bytes), value
 * struct route {u32 ifindex; u32 action} (8 bytes), 64 entries, map_flags BPF_F_NO_PREALLOC
 * (1, which the kernel requires for LPM tries).
 * Program route_lookup (SEC "xdp"): for an Ethernet/IPv4 packet looks up {32, daddr}; no
 * match -> XDP_PASS (2); a match returns its route.action (user space stores XDP_* values).
 * Non-IPv4 or short packets -> XDP_PASS (2).
 * With routes {8, 10.0.0.0} -> {1, XDP_DROP} and {24, 10.1.2.0} -> {2, XDP_TX}:
 * daddr 10.1.2.3 -> 3 (longest prefix wins), 10.9.9.9 -> 1, 192.168.0.1 -> 2.
 */
#include "obpf_corpus.h"

struct route_key {
	__u32 prefixlen;
	__u8 addr[4];
};

struct route {
	__u32 ifindex;
	__u32 action;
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct route_key);
	__type(value, struct route);
	__uint(max_entries, 64);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} routes SEC(".maps");

SEC("xdp")
int route_lookup(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;

	struct route_key key = { .prefixlen = 32 };
	__builtin_memcpy(key.addr, &ip->daddr, 4);
	struct route *r = bpf_map_lookup_elem(&routes, &key);
	if (!r)
		return XDP_PASS;
	return r->action;
}

char LICENSE[] SEC("license") = "GPL";
