/*
 * socket_filter: a classic socket filter using the packet-access instructions of socket
 * filters (BPF_LD | BPF_ABS / BPF_IND through __builtin load_byte/load_half/load_word).
 *
 * Program udp_only (SEC "socket"): on an Ethernet frame, returns skb->len (keep all of it)
 * when the EtherType (offset 12) is IPv4 and the IPv4 protocol (offset 23) is UDP and the
 * UDP destination port (offset 14 + 4*IHL + 2, read with an indirect load) is not 0;
 * otherwise returns 0 (drop). A 42-byte eth/ipv4(ihl 5)/udp(dport 53) frame -> 42; the same
 * frame with protocol TCP -> 0; an ARP frame (0x0806) -> 0.
 * BPF_PROG_TEST_RUN of a socket filter treats the first 14 bytes of its input as the Ethernet
 * header and pulls them: skb->len and packet offsets then start after them. To run the
 * examples below through the kernel, prepend 14 bytes to the data.
 */
#include "obpf_corpus.h"

unsigned long long load_byte(void *skb, unsigned long long off) asm("llvm.bpf.load.byte");
unsigned long long load_half(void *skb, unsigned long long off) asm("llvm.bpf.load.half");
unsigned long long load_word(void *skb, unsigned long long off) asm("llvm.bpf.load.word");

SEC("socket")
int udp_only(struct __sk_buff *skb)
{
	if (load_half(skb, 12) != ETH_P_IP)
		return 0;
	if (load_byte(skb, 23) != IPPROTO_UDP)
		return 0;
	__u32 ihl = load_byte(skb, 14) & 0x0f;
	if (load_half(skb, 14 + ihl * 4 + 2) == 0)
		return 0;
	return skb->len;
}

char LICENSE[] SEC("license") = "GPL";
