/*
 * core_relo (rejected): reads a field through a CO-RE relocation (__builtin_preserve_access_index,
 * what BPF_CORE_READ expands to). Applying it needs the running kernel's BTF; the loader must
 * reject it naming the feature, the section and the instruction:
 * "section 'kprobe/do_unlinkat' instruction 0: CO-RE relocation (field byte offset) ...".
 */
#include "../obpf_corpus.h"

struct task_like {
	int pid;
	int tgid;
} __attribute__((preserve_access_index));

SEC("kprobe/do_unlinkat")
int read_tgid(struct task_like *t)
{
	return __builtin_preserve_access_index(t->tgid);
}

char LICENSE[] SEC("license") = "GPL";
