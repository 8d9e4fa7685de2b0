/*
 * multi_prog: several programs of several types in one object sharing a map and a .text
 * sub-program, so that the sub-program is appended to each program that calls it.
 *
 * Map hits ARRAY key u32, value u64, 4 entries (0: xdp_first, 1: xdp_second, 2: sock_count,
 * 3: tc_count).
 * .text: static noinline bump(idx): hits[idx] += 1, returns the new value (0 when idx >= 4).
 * Programs:
 *   xdp_first   (SEC "xdp")          bump(0); returns XDP_PASS (2)
 *   xdp_second  (SEC "xdp")          returns bump(1) > 2 ? XDP_DROP (1) : XDP_PASS (2)
 *                                    (third run and later: 1)
 *   sock_count  (SEC "socket")       bump(2); returns skb->len
 *                                    (input size - 14 through BPF_PROG_TEST_RUN)
 *   tc_count    (SEC "classifier")   bump(3); returns TC_ACT_OK (0)
 *   xdp_nocall  (SEC "xdp/devmap")   returns XDP_PASS (2); no call, so nothing appended
 *                                    (BPF_XDP_DEVMAP expected attach type)
 */
#include "obpf_corpus.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 4);
} hits SEC(".maps");

static __noinline __u64 bump(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&hits, &idx);
	if (!v)
		return 0;
	*v += 1;
	return *v;
}

SEC("xdp")
int xdp_first(struct xdp_md *ctx)
{
	bump(0);
	return XDP_PASS;
}

SEC("xdp")
int xdp_second(struct xdp_md *ctx)
{
	return bump(1) > 2 ? XDP_DROP : XDP_PASS;
}

SEC("socket")
int sock_count(struct __sk_buff *skb)
{
	bump(2);
	return skb->len;
}

SEC("classifier")
int tc_count(struct __sk_buff *skb)
{
	bump(3);
	return TC_ACT_OK;
}

SEC("xdp/devmap")
int xdp_nocall(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
