package org.obpf.kernelref;

/**
 * The {@code BPF_PROG_TEST_RUN} input: {@code data_in} (the packet, for XDP, SCHED_CLS,
 * SOCKET_FILTER ...), the room given for {@code data_out}, {@code ctx_in} (the context:
 * {@code struct xdp_md}, {@code struct __sk_buff}, the raw tracepoint's u64 arguments, a SYSCALL
 * program's argument block), the room for {@code ctx_out}, {@code repeat}, {@code flags}
 * ({@code BPF_F_TEST_RUN_ON_CPU} ...), {@code cpu} and {@code batch_size}. Null or 0-sized buffers
 * are passed as NULL, which is what types that refuse a field (RAW_TRACEPOINT, SYSCALL) need.
 */
public record TestRunAttr(byte[] dataIn, int dataSizeOut, byte[] ctxIn, int ctxSizeOut, int repeat, int flags,
                          int cpu, int batchSize) {

    public static final int BPF_F_TEST_RUN_ON_CPU = 1;
    public static final int BPF_F_TEST_XDP_LIVE_FRAMES = 1 << 1;
    public static final int BPF_F_TEST_SKB_CHECKSUM_COMPLETE = 1 << 2;

    /** Headroom beyond the input for {@code data_out}: XDP and TC programs may grow the packet. */
    public static final int DATA_OUT_SLACK = 4096;

    public TestRunAttr {
        dataIn = dataIn == null ? new byte[0] : dataIn.clone();
        ctxIn = ctxIn == null ? new byte[0] : ctxIn.clone();
        if (dataSizeOut < 0 || ctxSizeOut < 0 || repeat < 0) throw new IllegalArgumentException("negative size or repeat");
    }

    /** A packet run (XDP, SCHED_CLS, SOCKET_FILTER ...): data in, room for data out, no context. */
    public static TestRunAttr packet(byte[] data) {
        return new TestRunAttr(data, data.length + DATA_OUT_SLACK, null, 0, 1, 0, 0, 0);
    }

    /** A packet run with a context in and room for the context out (e.g. {@code struct xdp_md}). */
    public static TestRunAttr packet(byte[] data, byte[] ctx) {
        return new TestRunAttr(data, data.length + DATA_OUT_SLACK, ctx, ctx.length, 1, 0, 0, 0);
    }

    /**
     * A context-only run (RAW_TRACEPOINT, SYSCALL): ctx_in only, no repeat; a SYSCALL program's
     * writes to its context come back in {@link TestRunResult#ctxIn()}.
     */
    public static TestRunAttr context(byte[] ctx) {
        return new TestRunAttr(null, 0, ctx, 0, 0, 0, 0, 0);
    }

    public TestRunAttr withRepeat(int n) {
        return new TestRunAttr(dataIn, dataSizeOut, ctxIn, ctxSizeOut, n, flags, cpu, batchSize);
    }

    public TestRunAttr withFlags(int f) {
        return new TestRunAttr(dataIn, dataSizeOut, ctxIn, ctxSizeOut, repeat, f, cpu, batchSize);
    }

    public TestRunAttr withCpu(int c) {
        return new TestRunAttr(dataIn, dataSizeOut, ctxIn, ctxSizeOut, repeat, flags | BPF_F_TEST_RUN_ON_CPU, c, batchSize);
    }

    public TestRunAttr withCtxSizeOut(int size) {
        return new TestRunAttr(dataIn, dataSizeOut, ctxIn, size, repeat, flags, cpu, batchSize);
    }

    public TestRunAttr withDataSizeOut(int size) {
        return new TestRunAttr(dataIn, size, ctxIn, ctxSizeOut, repeat, flags, cpu, batchSize);
    }

    @Override
    public byte[] dataIn() {
        return dataIn.clone();
    }

    @Override
    public byte[] ctxIn() {
        return ctxIn.clone();
    }

    byte[] dataInRef() {
        return dataIn;
    }

    byte[] ctxInRef() {
        return ctxIn;
    }
}
