/*
 * tracing: a tracepoint and a raw tracepoint program counting system calls.
 *
 * Maps:
 *   execs      PERCPU_ARRAY key u32, value u64, 1 entry   (execve count, per CPU)
 *   syscalls   HASH key u64 (syscall number), value u64, 512 entries
 * Programs:
 *   count_execve (SEC "tracepoint/syscalls/sys_enter_execve", BPF_PROG_TYPE_TRACEPOINT):
 *       execs[0] += 1 on the current CPU, returns 0.
 *   count_syscalls (SEC "raw_tp/sys_enter", BPF_PROG_TYPE_RAW_TRACEPOINT): nr = ctx->args[1];
 *       syscalls[nr] += 1 (inserted as 1 when absent), returns 0. With args {0, 59}: syscalls[59]
 *       goes 0 -> 1 -> 2 on two runs.
 *   count_tp_short (SEC "tp/sched/sched_switch"): returns 1 (the short tracepoint prefix).
 */
#include "obpf_corpus.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 1);
} execs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u64);
	__type(value, __u64);
	__uint(max_entries, 512);
} syscalls SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_execve")
int count_execve(void *ctx)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&execs, &zero);
	if (n)
		*n += 1;
	return 0;
}

SEC("raw_tp/sys_enter")
int count_syscalls(struct bpf_raw_tracepoint_args *ctx)
{
	__u64 nr = ctx->args[1];
	__u64 *n = bpf_map_lookup_elem(&syscalls, &nr);
	if (n) {
		__sync_fetch_and_add(n, 1);
	} else {
		__u64 one = 1;
		bpf_map_update_elem(&syscalls, &nr, &one, BPF_NOEXIST);
	}
	return 0;
}

SEC("tp/sched/sched_switch")
int count_tp_short(void *ctx)
{
	return 1;
}

char LICENSE[] SEC("license") = "GPL";
