#include "common.h"

/* Atomic read-modify-write in both widths; the fetch forms, xchg and cmpxchg need -mcpu=v3. */
SEC("xdp") int atomics(u64 *d, u32 *w)
{
	u64 r = 0;

	__sync_fetch_and_add(d, 1);
	__sync_fetch_and_add(w, 2);
	__sync_fetch_and_or(d + 1, 4);
	__sync_fetch_and_and(d + 2, 8);
	__sync_fetch_and_xor(d + 3, 16);
	__sync_fetch_and_or(w + 1, 4);
	__sync_fetch_and_and(w + 2, 8);
	__sync_fetch_and_xor(w + 3, 16);
	r += __sync_fetch_and_add(d + 4, 5);
	r += __sync_fetch_and_or(d + 4, 6);
	r += __sync_fetch_and_and(d + 4, 7);
	r += __sync_fetch_and_xor(d + 4, 8);
	r += __sync_fetch_and_add(w + 4, 5);
	r += __sync_fetch_and_or(w + 4, 6);
	r += __sync_fetch_and_and(w + 4, 7);
	r += __sync_fetch_and_xor(w + 4, 8);
	r += __sync_lock_test_and_set(d + 5, r);
	r += __sync_lock_test_and_set(w + 5, (u32)r);
	r += __sync_val_compare_and_swap(d + 6, 3, r);
	r += __sync_val_compare_and_swap(w + 6, 3, (u32)r);
	return r;
}
