/*
 * kfunc_call (rejected): calls a kernel function (kfunc) declared extern __ksym; resolving it
 * needs the kernel's BTF. The loader rejects it: "kfunc call to 'bpf_rcu_read_lock' ...".
 */
#include "../obpf_corpus.h"

extern void bpf_rcu_read_lock(void) __ksym;

SEC("tp/syscalls/sys_enter_getpid")
int use_kfunc(void *ctx)
{
	bpf_rcu_read_lock();
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
