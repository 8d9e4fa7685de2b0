/*
 * tail_calls: dispatch through a PROG_ARRAY with bpf_tail_call; three XDP programs in one
 * section.
 *
 * Maps:
 *   jmp_table   PROG_ARRAY key u32, value u32 (program fds), 4 entries. User space puts
 *               handle_drop at index 1 and handle_tx at index 2 (index 0 and 3 stay empty).
 *   jmp_static  PROG_ARRAY, 4 entries, filled by its definition as libbpf does it
 *               (__array(values, ...) with an initializer, relocations in .rel.maps):
 *               [1] = handle_tx, [3] = handle_drop.
 * Programs (all SEC "xdp"):
 *   dispatch         reads the first packet byte b (XDP_ABORTED (0) for an empty packet) and
 *                    tail-calls jmp_table[b & 3]; when the slot is empty the call falls through
 *                    and dispatch returns XDP_PASS (2).
 *   handle_drop      returns XDP_DROP (1)
 *   handle_tx        returns XDP_TX (3)
 *   dispatch_static  the same through jmp_static.
 * dispatch, with jmp_table filled as above: first byte 0x01 -> 1, 0x02 -> 3, 0x00 or 0x03 -> 2.
 * dispatch_static: 0x01 -> 3, 0x03 -> 1, 0x00 or 0x02 -> 2.
 */
#include "obpf_corpus.h"

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
	__uint(max_entries, 4);
} jmp_table SEC(".maps");

SEC("xdp")
int dispatch(struct xdp_md *ctx)
{
	__u8 *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	if ((void *)(data + 1) > data_end)
		return XDP_ABORTED;
	bpf_tail_call(ctx, &jmp_table, data[0] & 3);
	return XDP_PASS;
}

SEC("xdp")
int handle_drop(struct xdp_md *ctx)
{
	return XDP_DROP;
}

SEC("xdp")
int handle_tx(struct xdp_md *ctx)
{
	return XDP_TX;
}

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__array(values, int (void *));
} jmp_static SEC(".maps") = {
	.values = {
		[1] = (void *)&handle_tx,
		[3] = (void *)&handle_drop,
	},
};

SEC("xdp")
int dispatch_static(struct xdp_md *ctx)
{
	__u8 *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	if ((void *)(data + 1) > data_end)
		return XDP_ABORTED;
	bpf_tail_call(ctx, &jmp_static, data[0] & 3);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
