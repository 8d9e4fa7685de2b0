package org.obpf.core.helper;

import static org.obpf.core.helper.MapHelpers.helper;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.obpf.api.Errno;
import org.obpf.api.helper.Helper;
import org.obpf.api.helper.HelperContext;
import org.obpf.api.helper.HelperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tracing, string and memory helpers ({@code kernel/trace/bpf_trace.c}, {@code kernel/bpf/helpers.c},
 * {@code bpf_iter.c}), with the kernel's numbers, arguments and results.
 */
public final class TraceHelpers {
    private TraceHelpers() {}

    public static final int BPF_FUNC_trace_printk = 6;
    public static final int BPF_FUNC_probe_read_user = 112;
    public static final int BPF_FUNC_probe_read_kernel = 113;
    public static final int BPF_FUNC_snprintf = 165;
    public static final int BPF_FUNC_loop = 181;
    public static final int BPF_FUNC_strncmp = 182;

    /** {@code BPF_TRACE_PRINTK_SIZE}: longest message. */
    public static final int BPF_TRACE_PRINTK_SIZE = 1024;
    /** {@code MAX_BPRINTF_VARARGS}: most arguments of {@code bpf_snprintf}. */
    public static final int MAX_BPRINTF_VARARGS = 12;
    /** {@code BPF_MAX_LOOPS}: most iterations of {@code bpf_loop}. */
    public static final long BPF_MAX_LOOPS = 8L * 1024 * 1024;

    private static final Logger TRACE = LoggerFactory.getLogger("org.obpf.trace");

    public static List<Helper> all() {
        return List.of(
                helper(BPF_FUNC_trace_printk, "trace_printk", TraceHelpers::tracePrintk),
                helper(BPF_FUNC_probe_read_user, "probe_read_user", TraceHelpers::probeRead),
                helper(BPF_FUNC_probe_read_kernel, "probe_read_kernel", TraceHelpers::probeRead),
                helper(BPF_FUNC_snprintf, "snprintf", TraceHelpers::snprintf),
                helper(BPF_FUNC_loop, "loop", TraceHelpers::loop),
                helper(BPF_FUNC_strncmp, "strncmp", TraceHelpers::strncmp));
    }

    /** {@code long bpf_trace_printk(const char *fmt, u32 fmt_size, ...)}: up to 3 arguments; the message length or -EINVAL. */
    private static long tracePrintk(HelperContext c, long fmt, long fmtSize, long a1, long a2, long a3) {
        String msg;
        try {
            msg = Bprintf.format(c, Bprintf.formatString(c, fmt, fmtSize & 0xffffffffL), new long[] {a1, a2, a3}, 3);
        } catch (Bprintf.BadFormat e) {
            return -Errno.EINVAL.value();
        }
        if (msg.length() > BPF_TRACE_PRINTK_SIZE - 1) msg = msg.substring(0, BPF_TRACE_PRINTK_SIZE - 1);
        String line = msg.endsWith("\n") ? msg.substring(0, msg.length() - 1) : msg;
        TraceBuffer.add(line);
        TRACE.info("bpf_trace_printk: {}", line);
        return msg.length();
    }

    /**
     * {@code long bpf_probe_read_kernel(void *dst, u32 size, const void *unsafe_ptr)} (and the
     * user variant): 0, or -EFAULT with {@code dst} zeroed when the source is not memory the run
     * may read.
     */
    private static long probeRead(HelperContext c, long dst, long size, long src, long r4, long r5) {
        long n = size & 0xffffffffL;
        MemorySegment to = c.memory(dst, n, true);
        MemorySegment from;
        try {
            from = c.memory(src, n, false);
        } catch (HelperException e) {
            to.fill((byte) 0);
            return -Errno.EFAULT.value();
        }
        MemorySegment.copy(from, 0, to, 0, n);
        return 0;
    }

    /**
     * {@code long bpf_snprintf(char *str, u32 str_size, const char *fmt, u64 *data, u32 data_len)}:
     * the formatted length including the NUL (more than {@code str_size} when truncated), or -EINVAL.
     */
    private static long snprintf(HelperContext c, long str, long strSize, long fmt, long data, long dataLen) {
        long len = dataLen & 0xffffffffL;
        if (len % 8 != 0 || len > MAX_BPRINTF_VARARGS * 8L) return -Errno.EINVAL.value();
        long[] args = new long[(int) (len / 8)];
        if (len > 0) {
            MemorySegment d = c.memory(data, len, false);
            for (int i = 0; i < args.length; i++) args[i] = d.get(ValueLayout.JAVA_LONG_UNALIGNED, 8L * i);
        }
        String out;
        try {
            out = Bprintf.format(c, Bprintf.readString(c, fmt, Integer.MAX_VALUE), args, args.length);
        } catch (Bprintf.BadFormat e) {
            return -Errno.EINVAL.value();
        }
        byte[] bytes = out.getBytes(StandardCharsets.ISO_8859_1);
        long size = strSize & 0xffffffffL;
        if (size > 0) {
            MemorySegment s = c.memory(str, size, true);
            int n = (int) Math.min(bytes.length, size - 1);
            MemorySegment.copy(bytes, 0, s, ValueLayout.JAVA_BYTE, 0, n);
            s.set(ValueLayout.JAVA_BYTE, n, (byte) 0);
        }
        return bytes.length + 1;
    }

    /**
     * {@code long bpf_loop(u32 nr_loops, void *callback_fn, void *callback_ctx, u64 flags)}:
     * calls {@code callback_fn(index, callback_ctx)} until it returns non-zero; the number of
     * iterations, -E2BIG above {@link #BPF_MAX_LOOPS}, -EINVAL for flags.
     */
    private static long loop(HelperContext c, long nrLoops, long fn, long ctx, long flags, long r5) {
        if (flags != 0) return -Errno.EINVAL.value();
        long n = nrLoops & 0xffffffffL;
        if (n > BPF_MAX_LOOPS) return -Errno.E2BIG.value();
        for (long i = 0; i < n; i++) {
            if (c.callback(fn, i, ctx, 0, 0, 0) != 0) return i + 1;
        }
        return n;
    }

    /** {@code long bpf_strncmp(const char *s1, u32 s1_sz, const char *s2)}: the kernel's strncmp: -1, 0 or 1. */
    private static long strncmp(HelperContext c, long s1, long s1Size, long s2, long r4, long r5) {
        long n = s1Size & 0xffffffffL;
        MemorySegment a = c.memory(s1, n, false);
        for (long i = 0; i < n; i++) {
            int x = a.get(ValueLayout.JAVA_BYTE, i) & 0xff;
            int y = c.memory(s2 + i, 1, false).get(ValueLayout.JAVA_BYTE, 0) & 0xff;
            if (x != y) return x < y ? -1 : 1;
            if (x == 0) break;
        }
        return 0;
    }
}
