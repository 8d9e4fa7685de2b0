/*
 * global_data: global variables in .data, .rodata and .bss, which libbpf turns into
 * single-entry ARRAY maps (key 4 bytes, value = section size) referenced by
 * BPF_PSEUDO_MAP_VALUE loads with the variable's offset; plus a string literal in
 * .rodata.str1.1.
 *
 * Variables:
 *   .rodata  const volatile u32 threshold = 100; const volatile u32 verdict_big = XDP_DROP (1);
 *            const char tag[8] = "obpf"   (section size 16: threshold @0, verdict_big @4, tag @8)
 *   .data    u64 seen = 5 (@0); u32 last_len = 0xffffffff (@8)    (section size 12)
 *   .bss     u64 big_count (@0); u64 small_count (@8)                (section size 16, zeros)
 * Program classify_len (SEC "xdp"): len = packet length; seen += 1; last_len = len;
 * if len > threshold: big_count += 1 and returns verdict_big, else small_count += 1 and
 * returns XDP_PASS (2). It also calls bpf_trace_printk with the literal "len %u" (from
 * .rodata.str1.1) when len == 0.
 * From the initial values: a 150-byte packet -> 1 (seen 6, last_len 150, big_count 1);
 * a 60-byte packet -> 2 (small_count 1).
 */
#include "obpf_corpus.h"

const volatile __u32 threshold = 100;
const volatile __u32 verdict_big = XDP_DROP;
const char tag[8] = "obpf";

__u64 seen = 5;
__u32 last_len = 0xffffffff;

__u64 big_count;
__u64 small_count;

SEC("xdp")
int classify_len(struct xdp_md *ctx)
{
	__u32 len = ctx->data_end - ctx->data;

	seen += 1;
	last_len = len;
	if (len == 0)
		bpf_trace_printk("len %u", sizeof("len %u"), len);
	if (len > threshold) {
		__sync_fetch_and_add(&big_count, 1);
		return verdict_big;
	}
	__sync_fetch_and_add(&small_count, 1);
	return tag[0] == 'o' ? XDP_PASS : XDP_ABORTED;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
