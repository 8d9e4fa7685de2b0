/*
 * percpu_maps: per-CPU ARRAY and HASH counters; each CPU sees its own value slot, user space
 * sums the slots.
 *
 * Maps:
 *   pkt_count  PERCPU_ARRAY key u32, value u64, 2 entries  (0: all packets, 1: IPv4 packets)
 *   len_sum    PERCPU_HASH  key u32 (EtherType, host order), value u64, 16 entries
 * Program percpu_count (SEC "xdp"): pkt_count[0] += 1 for every packet; for a packet with a
 * full Ethernet header: len_sum[ethertype] += packet length (inserted when absent), and
 * pkt_count[1] += 1 when the EtherType is IPv4. Returns XDP_PASS (2).
 * On one CPU, after a 60-byte IPv4 packet and a 42-byte ARP packet: pkt_count = {2, 1},
 * len_sum = {0x0800: 60, 0x0806: 42}. A 5-byte packet only counts in pkt_count[0].
 */
#include "obpf_corpus.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 2);
} pkt_count SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 16);
} len_sum SEC(".maps");

SEC("xdp")
int percpu_count(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u32 idx = 0;

	__u64 *all = bpf_map_lookup_elem(&pkt_count, &idx);
	if (all)
		*all += 1;
	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;

	__u32 type = bpf_ntohs(eth->h_proto);
	__u64 len = data_end - data;
	__u64 *sum = bpf_map_lookup_elem(&len_sum, &type);
	if (sum)
		*sum += len;
	else
		bpf_map_update_elem(&len_sum, &type, &len, BPF_NOEXIST);

	if (type == ETH_P_IP) {
		idx = 1;
		__u64 *v4 = bpf_map_lookup_elem(&pkt_count, &idx);
		if (v4)
			*v4 += 1;
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
