/*
 * ringbuf_events: one event per IPv4 packet through a BPF ring buffer (reserve / submit, and
 * discard when the event is not wanted).
 *
 * Map events RINGBUF, max_entries 4096 (bytes, a power of two multiple of the page size on
 * the kernel), key and value size 0.
 * Program packet_events (SEC "xdp"): for an Ethernet/IPv4 packet reserves a 16-byte struct
 * event {u32 len; u32 saddr; u32 daddr; u8 proto; u8 ttl; u16 pad}; if the reservation fails
 * returns XDP_PASS (2) without an event; if ttl == 0 discards the record (no event);
 * otherwise fills it and submits it. Always returns XDP_PASS (2); non-IPv4 or short packets
 * produce no event. A 60-byte UDP packet 10.0.0.1 -> 10.0.0.2 ttl 64 gives one event
 * {60, 0x0100000a, 0x0200000a, 17, 64, 0}.
 */
#include "obpf_corpus.h"

struct event {
	__u32 len;
	__u32 saddr;
	__u32 daddr;
	__u8 proto;
	__u8 ttl;
	__u16 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

SEC("xdp")
int packet_events(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;

	struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return XDP_PASS;
	if (ip->ttl == 0) {
		bpf_ringbuf_discard(e, 0);
		return XDP_PASS;
	}
	e->len = data_end - data;
	e->saddr = ip->saddr;
	e->daddr = ip->daddr;
	e->proto = ip->protocol;
	e->ttl = ip->ttl;
	e->pad = 0;
	bpf_ringbuf_submit(e, 0);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
