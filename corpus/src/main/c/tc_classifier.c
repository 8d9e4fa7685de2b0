/*
 * tc_classifier: traffic-control programs in the "tc" and the legacy "classifier" sections
 * (both BPF_PROG_TYPE_SCHED_CLS), with direct packet access through __sk_buff data/data_end.
 *
 * Programs:
 *   tc_mark (SEC "tc"): an Ethernet/IPv4 packet whose TTL is 1 or less -> TC_ACT_SHOT (2);
 *       any other IPv4 packet gets skb->mark = 0x42 and TC_ACT_OK (0); non-IPv4 or short
 *       packets -> TC_ACT_OK (0) with the mark unchanged.
 *   cls_priority (SEC "classifier"): sets skb->priority = skb->len > 1000 ? 6 : 0 and
 *       returns TC_ACT_OK (0). 1500 bytes -> priority 6; 64 bytes -> priority 0.
 */
#include "obpf_corpus.h"

SEC("tc")
int tc_mark(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	if (ip->ttl <= 1)
		return TC_ACT_SHOT;
	skb->mark = 0x42;
	return TC_ACT_OK;
}

SEC("classifier")
int cls_priority(struct __sk_buff *skb)
{
	skb->priority = skb->len > 1000 ? 6 : 0;
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
