/*
 * attach_sections: one small program per section family that maps to a program type and an
 * expected attach type the way libbpf's section_defs does.
 *
 * Programs and the results they return (each ignores its context):
 *   cg_ingress  SEC "cgroup_skb/ingress"  CGROUP_SKB, BPF_CGROUP_INET_INGRESS   returns 1 (allow)
 *   cg_egress   SEC "cgroup_skb/egress"   CGROUP_SKB, BPF_CGROUP_INET_EGRESS    returns 0 (deny)
 *   on_open     SEC "kprobe/do_sys_openat2" KPROBE                              returns 0
 *   on_ret      SEC "kretprobe/do_sys_openat2" KPROBE                           returns 0
 *   raw_full    SEC "raw_tracepoint/sched_process_exit" RAW_TRACEPOINT          returns 0
 *   do_syscall  SEC "syscall"             SYSCALL (sleepable)                   returns 7
 *   sk_verdict  SEC "sk_skb/stream_verdict" SK_SKB, BPF_SK_SKB_STREAM_VERDICT   returns 1 (SK_PASS)
 *   act         SEC "action"              SCHED_ACT                             returns 0
 */
#include "obpf_corpus.h"

SEC("cgroup_skb/ingress")
int cg_ingress(struct __sk_buff *skb) { return 1; }

SEC("cgroup_skb/egress")
int cg_egress(struct __sk_buff *skb) { return 0; }

SEC("kprobe/do_sys_openat2")
int on_open(void *ctx) { return 0; }

SEC("kretprobe/do_sys_openat2")
int on_ret(void *ctx) { return 0; }

SEC("raw_tracepoint/sched_process_exit")
int raw_full(struct bpf_raw_tracepoint_args *ctx) { return 0; }

SEC("syscall")
int do_syscall(void *ctx) { return 7; }

SEC("sk_skb/stream_verdict")
int sk_verdict(struct __sk_buff *skb) { return 1; }

SEC("action")
int act(struct __sk_buff *skb) { return 0; }

char LICENSE[] SEC("license") = "GPL";
