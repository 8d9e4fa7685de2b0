/*
 * xdp_count_array: per-protocol packet and byte counters in BTF-defined ARRAY maps (.maps).
 *
 * Maps:
 *   proto_packets  ARRAY  key u32, value u64, 256 entries   (index: IPv4 protocol number)
 *   proto_bytes    ARRAY  key u32, value u64, 256 entries
 * Program xdp_count_array (SEC "xdp"): for an Ethernet/IPv4 packet whose IPv4 header fits,
 * proto_packets[ip->protocol] += 1 and proto_bytes[ip->protocol] += (data_end - data), then
 * XDP_PASS (2). Any other packet (short, not IPv4) is not counted and also gives XDP_PASS.
 * After three 60-byte UDP packets: proto_packets[17] == 3, proto_bytes[17] == 180, all other
 * entries 0.
 */
#include "obpf_corpus.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 256);
} proto_packets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u64));
	__uint(max_entries, 256);
} proto_bytes SEC(".maps");

SEC("xdp")
int xdp_count_array(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;

	__u32 key = ip->protocol;
	__u64 *packets = bpf_map_lookup_elem(&proto_packets, &key);
	if (packets)
		__sync_fetch_and_add(packets, 1);
	__u64 *bytes = bpf_map_lookup_elem(&proto_bytes, &key);
	if (bytes)
		__sync_fetch_and_add(bytes, (__u64)(data_end - data));
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
