/*
 * queue_stack: QUEUE and STACK maps (no key: key_size 0) with push, pop and peek.
 *
 * Maps:
 *   len_queue  QUEUE  value u32, 8 entries
 *   len_stack  STACK  value u32, 8 entries
 * Programs:
 *   push_len (SEC "xdp"): pushes the packet length onto both maps (BPF_ANY: the queue is
 *       full at 8 and the push then fails without effect on the result); returns XDP_PASS (2).
 *   pop_len (SEC "xdp"): pops the oldest length from the queue and peeks at the newest on the
 *       stack; returns XDP_DROP (1) when the two are equal, XDP_PASS (2) when they differ,
 *       XDP_ABORTED (0) when either map is empty.
 * After push_len on packets of 60 then 80 bytes: pop_len gives 2 (60 != 80); after a single
 * push of 60: pop_len gives 1 (60 == 60); on fresh maps: 0.
 */
#include "obpf_corpus.h"

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__type(value, __u32);
	__uint(max_entries, 8);
} len_queue SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK);
	__uint(value_size, sizeof(__u32));
	__uint(max_entries, 8);
} len_stack SEC(".maps");

SEC("xdp")
int push_len(struct xdp_md *ctx)
{
	__u32 len = ctx->data_end - ctx->data;

	bpf_map_push_elem(&len_queue, &len, BPF_ANY);
	bpf_map_push_elem(&len_stack, &len, BPF_ANY);
	return XDP_PASS;
}

SEC("xdp")
int pop_len(struct xdp_md *ctx)
{
	__u32 oldest, newest;

	if (bpf_map_pop_elem(&len_queue, &oldest))
		return XDP_ABORTED;
	if (bpf_map_peek_elem(&len_stack, &newest))
		return XDP_ABORTED;
	return oldest == newest ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
