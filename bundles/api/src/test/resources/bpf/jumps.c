#include "common.h"

/* Every comparison, signed and unsigned, 64-bit and (with -mcpu=v3) 32-bit, and loops. */
SEC("xdp") int jumps(u64 *a, s64 *s, u32 *w, s32 *v)
{
	int r = 0;
	if (a[0] == 5) r += 1;
	if (a[0] != a[1]) r += 2;
	if (a[1] > 100) r += 3;
	if (a[1] >= a[2]) r += 4;
	if (a[2] < 7) r += 5;
	if (a[2] <= a[3]) r += 6;
	if (s[0] > -3) r += 7;
	if (s[0] >= s[1]) r += 8;
	if (s[1] < -100000) r += 9;
	if (s[1] <= s[2]) r += 10;
	if (w[0] == 9) r += 11;
	if (w[0] > w[1]) r += 12;
	if (w[1] <= 0x7fff) r += 13;
	if (v[0] < v[1]) r += 14;
	if (v[1] >= -2) r += 15;
	if (a[3] & 0x10) r += 16;
	for (int i = 0; i < 8; i++) {
		if (w[i + 2] == 0)
			break;
		r += w[i + 2];
	}
	return r;
}

SEC("tc") int loop(u32 *w)
{
	u32 acc = 0;
#pragma clang loop unroll(disable)
	for (u32 i = 0; i < w[0] && i < 64; i++)
		acc = acc * 31 + w[i + 1];
	return acc;
}

/* "Greater or equal" between registers survives LLVM's canonicalisation here. */
SEC("tc") int scan(s64 *s, s32 *v, u64 *u)
{
	int r = 0;
	for (int i = 0; i < 16; i++) {
		if (s[i] >= s[i + 1])
			break;
		r += s[i];
	}
	for (int i = 0; i < 4; i++) {
		if (u[i] >= u[i + 1])
			break;
		r += u[i];
	}
	if (v[0] <= v[1])
		r ^= 77;
	else
		r += v[3];
	return r;
}
