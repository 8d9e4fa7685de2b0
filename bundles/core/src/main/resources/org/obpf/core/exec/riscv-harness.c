/*
 * The QEMU harness for RISC-V JIT images (OBPF QemuEngine): freestanding, no libc, built with
 * riscv64-linux-gnu-gcc for rv64imac/lp64 or rv32imac/ilp32 and run under qemu-riscv64/32.
 * It provides what HostAbi asks of a runtime: the run context with its BPF stack block, the
 * helpers below and bpf_tail_call, and the test memory (r1 = its address, r2 = its length).
 *
 *   harness MEMFILE       linked with a program object that defines bpf_prog: runs it once
 *   harness -b            batch: runs each job read from standard input (images linked by the
 *                         back-end at CODE_BASE against the addresses `harness -s` prints)
 *   harness -s            prints "name address" of every symbol an image may refer to
 *
 * Each run prints one line: "r0 HEX", or "error ERRNO insn N" when the code set ERROR.
 * Batch jobs: u32 magic 0x4a465042 ("BPFJ"), u32 program count, u32 memory length; per program
 * u32 load offset in the code area, u32 code length, u32 entry offset, the code; then the memory.
 * The first program runs; the others are the slots 0.. of the job's program array, the map
 * bpf_map_0, through which bpf_tail_call reaches them (index, MAX_TAIL_CALL_CNT = 33 and the
 * count in the run context as the kernel's bpf_tail_call does). The helper set is small:
 * ktime_get_ns (5), get_prandom_u32 (7), get_smp_processor_id (8), get_current_pid_tgid (14).
 */
typedef unsigned long long u64;
typedef long long s64;
typedef unsigned int u32;
typedef unsigned char u8;
typedef unsigned long ulong;

#define CODE_BASE 0x20000000UL
#define CODE_MAX (4UL << 20)
#define MEM_MAX (1UL << 20)
#define CONTEXT_SIZE 816
#define STACK_SIZE (8 * 512)

/* HostAbi offsets */
#define SAVED_SP 0
#define STACK_TOP 8
#define TAIL_CALLS 16
#define ERROR 24
#define ERROR_INSN 28

#if __riscv_xlen == 64
#define NR_clock_gettime 113
#else
#define NR_clock_gettime 403 /* clock_gettime64 */
#endif

static long sys6(long n, long a, long b, long c, long d, long e, long f) {
    register long a0 __asm__("a0") = a;
    register long a1 __asm__("a1") = b;
    register long a2 __asm__("a2") = c;
    register long a3 __asm__("a3") = d;
    register long a4 __asm__("a4") = e;
    register long a5 __asm__("a5") = f;
    register long a7 __asm__("a7") = n;
    __asm__ volatile("ecall" : "+r"(a0) : "r"(a1), "r"(a2), "r"(a3), "r"(a4), "r"(a5), "r"(a7) : "memory");
    return a0;
}

static long sys_read(int fd, void *p, ulong n) { return sys6(63, fd, (long) p, (long) n, 0, 0, 0); }
static long sys_write(int fd, const void *p, ulong n) { return sys6(64, fd, (long) p, (long) n, 0, 0, 0); }
static long sys_openat(const char *path) { return sys6(56, -100, (long) path, 0, 0, 0, 0); }
static void sys_exit(int code) { sys6(94, code, 0, 0, 0, 0, 0); for (;;) { } }

void *memset(void *d, int c, ulong n) { u8 *p = d; while (n--) *p++ = (u8) c; return d; }
void *memcpy(void *d, const void *s, ulong n) { u8 *p = d; const u8 *q = s; while (n--) *p++ = *q++; return d; }

static u64 runctx[CONTEXT_SIZE / 8];
static u64 bpf_stack[STACK_SIZE / 8];
static u64 mem[MEM_MAX / 8];

static void put(const char *s) { ulong n = 0; while (s[n]) n++; sys_write(1, s, n); }

static void hex(char *out, u64 v) {
    char t[17];
    int n = 0;
    do { t[n++] = "0123456789abcdef"[v & 15]; v >>= 4; } while (v);
    while (n) *out++ = t[--n];
    *out = 0;
}

static void fail(const char *why) { put("harness: "); put(why); put("\n"); sys_exit(2); }

/* ---- helpers (kernel ids) and runtime ---- */

u64 bpf_helper_5(void) {
    s64 ts[2];
    sys6(NR_clock_gettime, 1, (long) ts, 0, 0, 0, 0);
    return (u64) ts[0] * 1000000000ULL + (u64) ts[1];
}

static u64 prandom_state = 0x2545f4914f6cdd1dULL;
u64 bpf_helper_7(void) {
    prandom_state ^= prandom_state << 13;
    prandom_state ^= prandom_state >> 7;
    prandom_state ^= prandom_state << 17;
    return (u32) prandom_state;
}

u64 bpf_helper_8(void) { return 0; }

u64 bpf_helper_14(void) {
    u64 pid = (u64) sys6(172, 0, 0, 0, 0, 0, 0), tid = (u64) sys6(178, 0, 0, 0, 0, 0, 0);
    return pid << 32 | tid;
}

#define MAX_PROGS 64
#define MAX_TAIL_CALL_CNT 33
u64 bpf_map_0[1]; /* the program array: its identity; the slots are the current job's */
static ulong tail_targets[MAX_PROGS];
static u32 tail_target_count;

ulong bpf_tail_call(void *ctx, ulong prog_array, u64 index) {
    u32 *calls = (u32 *) ((u8 *) ctx + TAIL_CALLS);
    if (prog_array != (ulong) bpf_map_0 || index >= tail_target_count) return 0;
    if (*calls >= MAX_TAIL_CALL_CNT) return 0;
    ++*calls;
    return tail_targets[index];
}

#if __riscv_xlen == 32
/* Firmware atomic routines (api FirmwareAtomics) for riscv32 code compiled with xobpfatomic, as
 * the RFPC's firmware has them: address t0, operand t2:t3, expected r0 t4:t5, old value back in
 * t2:t3, every other register but ra preserved. Each entry saves what C may clobber and calls
 * fw_atomic with its routine number; one lock makes the 64-bit ones atomic (RV32A has no 64-bit AMO). */
static u32 fw_lock;
u64 fw_atomic(u32 k, u32 addr, u64 operand, u64 expected) {
    int wide = k >= 6, op = k % 6;
    while (__atomic_exchange_n(&fw_lock, 1, __ATOMIC_ACQUIRE)) { }
    u64 old = wide ? *(volatile u64 *) addr : *(volatile u32 *) addr;
    if (!wide) expected = (u32) expected;
    u64 v = op == 0 ? old + operand : op == 1 ? old | operand : op == 2 ? old & operand
          : op == 3 ? old ^ operand : op == 4 ? operand : old == expected ? operand : old;
    if (op != 5 || old == expected) {
        if (wide) *(volatile u64 *) addr = v;
        else *(volatile u32 *) addr = (u32) v;
    }
    __atomic_store_n(&fw_lock, 0, __ATOMIC_RELEASE);
    return old;
}
__asm__("fw_common:\n"
        "  sw ra, 0(sp)\n  sw t0, 4(sp)\n  sw t4, 12(sp)\n  sw t5, 16(sp)\n  sw t6, 20(sp)\n"
        "  sw a0, 24(sp)\n  sw a1, 28(sp)\n  sw a2, 32(sp)\n  sw a3, 36(sp)\n"
        "  sw a4, 40(sp)\n  sw a5, 44(sp)\n  sw a6, 48(sp)\n  sw a7, 52(sp)\n"
        "  mv a0, t1\n  mv a1, t0\n  mv a2, t2\n  mv a3, t3\n  mv a4, t4\n  mv a5, t5\n"
        "  call fw_atomic\n"
        "  mv t2, a0\n  mv t3, a1\n"
        "  lw ra, 0(sp)\n  lw t0, 4(sp)\n  lw t1, 8(sp)\n  lw t4, 12(sp)\n  lw t5, 16(sp)\n  lw t6, 20(sp)\n"
        "  lw a0, 24(sp)\n  lw a1, 28(sp)\n  lw a2, 32(sp)\n  lw a3, 36(sp)\n"
        "  lw a4, 40(sp)\n  lw a5, 44(sp)\n  lw a6, 48(sp)\n  lw a7, 52(sp)\n"
        "  addi sp, sp, 64\n  ret\n"
        ".macro FWATOMIC name, k\n"
        ".globl \\name\n"
        "\\name:\n  addi sp, sp, -64\n  sw t1, 8(sp)\n  li t1, \\k\n  j fw_common\n"
        ".endm\n"
        "FWATOMIC __obpf_atomic_add32, 0\n  FWATOMIC __obpf_atomic_or32, 1\n  FWATOMIC __obpf_atomic_and32, 2\n"
        "FWATOMIC __obpf_atomic_xor32, 3\n  FWATOMIC __obpf_atomic_xchg32, 4\n  FWATOMIC __obpf_atomic_cmpxchg32, 5\n"
        "FWATOMIC __obpf_atomic_add64, 6\n  FWATOMIC __obpf_atomic_or64, 7\n  FWATOMIC __obpf_atomic_and64, 8\n"
        "FWATOMIC __obpf_atomic_xor64, 9\n  FWATOMIC __obpf_atomic_xchg64, 10\n  FWATOMIC __obpf_atomic_cmpxchg64, 11\n");
extern char __obpf_atomic_add32[], __obpf_atomic_or32[], __obpf_atomic_and32[], __obpf_atomic_xor32[],
    __obpf_atomic_xchg32[], __obpf_atomic_cmpxchg32[], __obpf_atomic_add64[], __obpf_atomic_or64[],
    __obpf_atomic_and64[], __obpf_atomic_xor64[], __obpf_atomic_xchg64[], __obpf_atomic_cmpxchg64[];
#endif

static const struct { const char *name; void *addr; } symbols[] = {
#if __riscv_xlen == 32
    {"__obpf_atomic_add32", __obpf_atomic_add32}, {"__obpf_atomic_or32", __obpf_atomic_or32},
    {"__obpf_atomic_and32", __obpf_atomic_and32}, {"__obpf_atomic_xor32", __obpf_atomic_xor32},
    {"__obpf_atomic_xchg32", __obpf_atomic_xchg32}, {"__obpf_atomic_cmpxchg32", __obpf_atomic_cmpxchg32},
    {"__obpf_atomic_add64", __obpf_atomic_add64}, {"__obpf_atomic_or64", __obpf_atomic_or64},
    {"__obpf_atomic_and64", __obpf_atomic_and64}, {"__obpf_atomic_xor64", __obpf_atomic_xor64},
    {"__obpf_atomic_xchg64", __obpf_atomic_xchg64}, {"__obpf_atomic_cmpxchg64", __obpf_atomic_cmpxchg64},
#endif
    {"bpf_helper_5", (void *) bpf_helper_5},
    {"bpf_helper_7", (void *) bpf_helper_7},
    {"bpf_helper_8", (void *) bpf_helper_8},
    {"bpf_helper_14", (void *) bpf_helper_14},
    {"bpf_tail_call", (void *) bpf_tail_call},
    {"bpf_map_0", (void *) bpf_map_0},
};

/* ---- running ---- */

typedef u64 (*entry_fn)(ulong r1, ulong r2, void *ctx);
extern u64 bpf_prog(ulong r1, ulong r2, void *ctx) __attribute__((weak));

static void run(entry_fn entry, ulong memlen) {
    char line[64], *p;
    memset(runctx, 0, sizeof runctx);
    runctx[STACK_TOP / 8] = (ulong) ((u8 *) bpf_stack + sizeof bpf_stack);
    u64 r0 = entry(memlen ? (ulong) mem : 0, memlen, runctx);
    u32 err = *(u32 *) ((u8 *) runctx + ERROR);
    if (err) {
        put("error ");
        hex(line, err);
        put(line);
        put(" insn ");
        hex(line, *(u32 *) ((u8 *) runctx + ERROR_INSN));
        put(line);
        put("\n");
        return;
    }
    p = line;
    *p++ = 'r'; *p++ = '0'; *p++ = ' ';
    hex(p, r0);
    put(line);
    put("\n");
}

static void read_fully(int fd, void *buf, ulong n) {
    u8 *p = buf;
    while (n) {
        long k = sys_read(fd, p, n);
        if (k <= 0) fail("short read");
        p += k;
        n -= (ulong) k;
    }
}

/* Returns 0 at end of input. */
static int read_u32(u32 *v) {
    u8 *p = (u8 *) v;
    ulong n = 4;
    while (n) {
        long k = sys_read(0, p, n);
        if (k == 0 && n == 4) return 0;
        if (k <= 0) fail("short read");
        p += k;
        n -= (ulong) k;
    }
    return 1;
}

static void batch(void) {
    u32 magic, progs, memlen, at, codelen, entry;
    ulong first = 0;
    u8 *base = (u8 *) sys6(222, (long) CODE_BASE, (long) CODE_MAX, 7, 0x32 | 0x10, -1, 0); /* rwx, private|anon|fixed */
    if ((ulong) base != CODE_BASE) fail("cannot map the code area");
    while (read_u32(&magic)) {
        if (magic != 0x4a465042 || !read_u32(&progs) || !read_u32(&memlen)) fail("bad job header");
        if (progs == 0 || progs > MAX_PROGS + 1 || memlen > MEM_MAX) fail("bad job: program count or memory size");
        tail_target_count = progs - 1;
        for (u32 i = 0; i < progs; i++) {
            if (!read_u32(&at) || !read_u32(&codelen) || !read_u32(&entry)) fail("bad program header");
            if (at > CODE_MAX || codelen > CODE_MAX - at || entry >= codelen) fail("program outside the code area");
            read_fully(0, base + at, codelen);
            if (i == 0) first = (ulong) base + at + entry;
            else tail_targets[i - 1] = (ulong) base + at + entry;
        }
        read_fully(0, mem, memlen);
        __asm__ volatile(".insn 0x0000100f" ::: "memory"); /* fence.i */
        run((entry_fn) first, memlen);
    }
}

static void print_symbols(void) {
    char line[32];
    for (ulong i = 0; i < sizeof symbols / sizeof symbols[0]; i++) {
        put(symbols[i].name);
        put(" ");
        hex(line, (ulong) symbols[i].addr);
        put(line);
        put("\n");
    }
    put("CODE_BASE ");
    hex(line, CODE_BASE);
    put(line);
    put("\n");
}

static int streq(const char *a, const char *b) {
    while (*a && *a == *b) { a++; b++; }
    return *a == *b;
}

void hmain(long *sp) {
    long argc = sp[0];
    char **argv = (char **) (sp + 1);
    if (argc > 1 && streq(argv[1], "-s")) {
        print_symbols();
    } else if (argc > 1 && streq(argv[1], "-b")) {
        batch();
    } else {
        ulong memlen = 0;
        if (!bpf_prog) fail("no program linked (bpf_prog undefined); use -b for batch jobs");
        if (argc > 1) {
            long fd = sys_openat(argv[1]);
            long k;
            if (fd < 0) fail("cannot open the memory file");
            while ((k = sys_read((int) fd, (u8 *) mem + memlen, MEM_MAX - memlen)) > 0) memlen += (ulong) k;
        }
        run(bpf_prog, memlen);
    }
    sys_exit(0);
}

__asm__(".globl _start\n"
        "_start:\n"
        "  mv a0, sp\n"
        "  andi sp, sp, -16\n"
        "  call hmain\n");
