#include "common.h"

/* 64- and 32-bit arithmetic with register and immediate operands, shifts, byte swaps. */
SEC("xdp") int alu(u64 *a, u32 *b, s64 *s)
{
	u64 x = a[0], y = a[1];
	u32 p = b[0], q = b[1];
	s64 z = s[0];

	x += y; x -= 7; x *= y; x /= (y | 1); x %= 1000003;
	x |= 0x40; x &= ~0xf0ULL; x ^= y; x <<= (y & 31); x >>= 3;
	x = -x;
	z >>= (y & 15); z = z * -5 + (z >> 60);
	p += q; p -= 3; p *= q; p /= (q | 1); p %= 77;
	p |= 1; p &= 0xfff; p ^= q; p <<= (q & 7); p >>= 2;
	p = -p;
	x += 0x123456789abcdefULL + (u64)p + (u64)(s32)q;
	x += __builtin_bswap64(y) + __builtin_bswap32(q) + __builtin_bswap16((u16)p);
	a[2] = x; a[3] = (u64)z; b[4] = p;
	return (int)(x ^ (u64)z);
}

SEC("tc") int alu2(u64 *a)
{
	u64 x = a[0];
	x = x * 0x7fffffff - 0x80000000LL;
	x += 0xffffffff;
	x = (x >> 33) | (x << 31);
	return (int)x + (s32)(x >> 32) * -1;
}
