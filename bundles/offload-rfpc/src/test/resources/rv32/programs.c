/* Ordinary compiled code (gcc -O2 -march=rv32imc): loops, calls, tables, 64-bit arithmetic. */
typedef unsigned int u32;
typedef unsigned long long u64;
extern u32 out[256];

static u32 crc32(const unsigned char *p, int n) {
    u32 c = 0xffffffffu;
    for (int i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xedb88320u & -(c & 1));
    }
    return ~c;
}

static int sieve(unsigned char *s, int n) {
    int count = 0;
    for (int i = 0; i < n; i++) s[i] = 1;
    for (int i = 2; i < n; i++) {
        if (!s[i]) continue;
        count++;
        for (int j = i * 2; j < n; j += i) s[j] = 0;
    }
    return count;
}

static void isort(int *a, int n) {
    for (int i = 1; i < n; i++) {
        int v = a[i], j = i - 1;
        while (j >= 0 && a[j] > v) { a[j + 1] = a[j]; j--; }
        a[j + 1] = v;
    }
}

static u32 gcd(u32 a, u32 b) {
    while (b) { u32 t = a % b; a = b; b = t; }
    return a;
}

static unsigned char data[1000];
static int arr[64];

int main(void) {
    u32 seed = 12345;
    for (int i = 0; i < 1000; i++) { seed = seed * 1103515245u + 12345u; data[i] = seed >> 16; }
    out[0] = crc32(data, 1000);
    out[1] = sieve(data, 1000);
    for (int i = 0; i < 64; i++) { seed = seed * 1103515245u + 12345u; arr[i] = (int) seed >> 3; }
    isort(arr, 64);
    for (int i = 0; i < 64; i++) out[2 + i] = arr[i];
    u64 acc = 0x0123456789abcdefull;
    for (int i = 0; i < 50; i++) {
        acc = acc * 6364136223846793005ull + 1442695040888963407ull;
        acc ^= acc >> 17;
        out[70 + i] = (u32) (acc >> 32) ^ (u32) acc;
    }
    for (int i = 0; i < 40; i++) {
        int a = (int) out[70 + i], b = (int) out[71 + i] >> (i % 31);
        out[130 + i] = gcd(out[70 + i], out[2 + i] | 1u) + a / (b | 1) + a % (b | 1);
    }
    signed char sc = -3;
    short ss = -300;
    out[200] = (u32) (sc * ss);
    return (int) (out[0] ^ out[1]);
}
