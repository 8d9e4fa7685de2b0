#include "common.h"

struct {
	int type;
	int max_entries;
} counters SEC(".maps");

struct {
	int type;
	int max_entries;
} jump_table SEC(".maps");

static __noinline u64 mix(u64 a, u64 b)
{
	return a * 0x9e3779b97f4a7c15ULL ^ (b >> 7);
}

static __noinline int count(u32 key)
{
	long *v = (long *)bpf_map_lookup_elem(&counters, &key);
	if (!v) {
		long one = 1;
		bpf_map_update_elem(&counters, &key, &one, 0);
		return 1;
	}
	return (int)++*v;
}

/* Helper calls, BPF-to-BPF calls, map references and the legacy packet loads. */
SEC("socket") int calls(void *skb)
{
	u64 proto = load_half(skb, 12);
	u64 ttl = load_byte(skb, 22);
	u64 addr = load_word(skb, 26);
	u32 idx = bpf_get_prandom_u32() & 7;
	u64 off = load_byte(skb, 14 + (idx & 3));

	bpf_tail_call(skb, &jump_table, idx);
	return count((u32)mix(proto + ttl + off, addr ^ bpf_ktime_get_ns()));
}
