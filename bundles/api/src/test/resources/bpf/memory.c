#include "common.h"

struct pkt {
	u8 b;
	u16 h;
	u32 w;
	u64 d;
	s8 sb;
	s16 sh;
	s32 sw;
};

int counter = 3;
u64 big_table[4] = {1, 2, 3, 4};
const char greeting[] = "hello %d\n";

/* Loads and stores of every width, the stack, globals (lddw with relocations), constants. */
SEC("xdp") int memory(struct pkt *p, struct pkt *q)
{
	volatile u64 stack[4];
	volatile u8 bytes[6];

	stack[0] = p->d;
	stack[1] = 0x1122334455667788ULL;
	stack[2] = (u64)p->sb + p->sh + p->sw;
	stack[3] = -1;
	bytes[0] = p->b;
	bytes[5] = 0x7f;
	q->b = p->b + 1;
	q->h = p->h;
	q->w = p->w * 3;
	q->d = stack[0] + stack[2];
	q->sh = -2;
	q->sw = 100000;
	big_table[counter & 3] += stack[1];
	counter++;
	bpf_trace_printk(greeting, sizeof(greeting), q->w);
	return stack[3] + bytes[0] + bytes[5];
}
