/*
 * legacy_maps: map definitions in the legacy SEC("maps") section as struct bpf_map_def
 * records (type, key_size, value_size, max_entries, map_flags: 20 bytes each), the form
 * libbpf before 1.0 and iproute2 read; and a kernel version in SEC("version").
 *
 * Maps (in section order):
 *   len_hist  ARRAY  key 4, value 8, 8 entries, flags 0
 *   last_len  HASH   key 4, value 4, 1 entry,   flags 0
 * Program len_histogram (SEC "socket", socket filter): bucket = skb->len / 256, capped at 7;
 * len_hist[bucket] += 1; last_len[0] = skb->len; returns skb->len (keep the whole packet).
 * A 100-byte packet: len_hist[0] == 1, last_len[0] == 100, result 100. A 2000-byte packet:
 * len_hist[7] == 1, result 2000.
 * (Through BPF_PROG_TEST_RUN the kernel pulls the first 14 bytes as the Ethernet header, so
 * skb->len is the input size - 14. libbpf >= 1.0 refuses SEC("maps"); this object is for
 * loaders that still read it, as OBPF's does.)
 * version section: 0x00060100 (6.1.0).
 */
#include "obpf_corpus.h"

struct bpf_map_def SEC("maps") len_hist = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u64),
	.max_entries = 8,
};

struct bpf_map_def SEC("maps") last_len = {
	.type = BPF_MAP_TYPE_HASH,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u32),
	.max_entries = 1,
};

SEC("socket")
int len_histogram(struct __sk_buff *skb)
{
	__u32 len = skb->len;
	__u32 bucket = len / 256;
	if (bucket > 7)
		bucket = 7;
	__u64 *count = bpf_map_lookup_elem(&len_hist, &bucket);
	if (count)
		__sync_fetch_and_add(count, 1);
	__u32 zero = 0;
	bpf_map_update_elem(&last_len, &zero, &len, BPF_ANY);
	return len;
}

char LICENSE[] SEC("license") = "GPL";
__u32 VERSION SEC("version") = 0x00060100;
