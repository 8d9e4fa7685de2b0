/*
 * unknown_section (rejected): a program in a section name libbpf does not know
 * ("my_hook"), so no program type: "section name 'my_hook' names no program type".
 */
#include "../obpf_corpus.h"

SEC("my_hook")
int mystery(void *ctx)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
