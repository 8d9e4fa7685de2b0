/*
 * hash_counter: counts IPv4 packets per source address in a BTF-defined HASH map, with a
 * struct value and pinning by name.
 *
 * Map src_stats HASH key u32 (saddr as in the packet, network order), value struct src_stat
 * {u64 packets; u64 bytes} (16 bytes), 1024 entries, map_flags BPF_F_NO_PREALLOC (1),
 * pinning LIBBPF_PIN_BY_NAME.
 * Program count_sources (SEC "xdp"): for an Ethernet/IPv4 packet, looks saddr up; if absent
 * inserts {1, len} with BPF_NOEXIST, else adds 1 and len atomically; returns XDP_PASS (2).
 * Non-IPv4 or short packets: XDP_PASS, map unchanged. Two 100-byte packets from 10.0.0.1 and
 * one 64-byte packet from 10.0.0.2 leave {0x0100000a: {2, 200}, 0x0200000a: {1, 64}}
 * (keys read as little-endian u32).
 */
#include "obpf_corpus.h"

struct src_stat {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, struct src_stat);
	__uint(max_entries, 1024);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} src_stats SEC(".maps");

SEC("xdp")
int count_sources(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;

	__u32 key = ip->saddr;
	__u64 len = data_end - data;
	struct src_stat *st = bpf_map_lookup_elem(&src_stats, &key);
	if (st) {
		__sync_fetch_and_add(&st->packets, 1);
		__sync_fetch_and_add(&st->bytes, len);
	} else {
		struct src_stat init = { .packets = 1, .bytes = len };
		bpf_map_update_elem(&src_stats, &key, &init, BPF_NOEXIST);
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
