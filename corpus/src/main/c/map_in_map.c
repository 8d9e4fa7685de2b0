/*
 * map_in_map: an ARRAY_OF_MAPS whose inner map is described by __array(values, ...), the BTF
 * form libbpf reads for map-in-map definitions.
 *
 * Maps:
 *   inner_a  ARRAY key u32, value u64, 4 entries
 *   outer    ARRAY_OF_MAPS key u32, value u32 (inner map fds), 2 entries, inner map
 *            ARRAY key u32, value u64, 4 entries (inner map named "outer.inner" as libbpf does);
 *            its definition puts inner_a in slot 0 (relocation in .rel.maps), slot 1 stays empty
 * Program inner_count (SEC "xdp"): inner = outer[packet length & 1]; if present, inner[0] += 1;
 * returns XDP_PASS (2) when an inner map was found, XDP_DROP (1) otherwise.
 * A 60-byte packet -> 2 and inner_a[0] == 1; a 61-byte packet -> 1.
 */
#include "obpf_corpus.h"

struct inner_map {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 4);
};

struct inner_map inner_a SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__type(key, __u32);
	__uint(max_entries, 2);
	__array(values, struct inner_map);
} outer SEC(".maps") = {
	.values = { [0] = &inner_a },
};

SEC("xdp")
int inner_count(struct xdp_md *ctx)
{
	__u32 idx = (ctx->data_end - ctx->data) & 1;
	void *inner = bpf_map_lookup_elem(&outer, &idx);
	if (!inner)
		return XDP_DROP;
	__u32 zero = 0;
	__u64 *v = bpf_map_lookup_elem(inner, &zero);
	if (v)
		*v += 1;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
