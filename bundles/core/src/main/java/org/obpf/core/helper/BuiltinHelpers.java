package org.obpf.core.helper;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.obpf.api.helper.Helper;
import org.obpf.api.helper.HelperContext;
import org.obpf.api.helper.HelperException;

/** The helpers core provides itself, with the kernel's numbers and Linux semantics. */
public final class BuiltinHelpers {
    private BuiltinHelpers() {}

    public static final int BPF_FUNC_ktime_get_ns = 5;
    public static final int BPF_FUNC_get_prandom_u32 = 7;
    public static final int BPF_FUNC_get_smp_processor_id = 8;
    public static final int BPF_FUNC_tail_call = 12;
    public static final int BPF_FUNC_ktime_get_boot_ns = 125;

    /** The built-in helpers every program type gets: time, processor, tail call, maps, tracing, strings. */
    public static List<Helper> all() {
        List<Helper> all = new java.util.ArrayList<>(List.of(new KtimeGetNs(), new GetPrandomU32(), new GetSmpProcessorId(),
                new TailCall(), new KtimeGetBootNs()));
        all.addAll(MapHelpers.all());
        all.addAll(TraceHelpers.all());
        return List.copyOf(all);
    }

    /** {@link #all()} plus the packet helpers of {@code type} ({@link PacketHelpers#forType}). */
    public static List<Helper> forType(org.obpf.api.prog.ProgramType type) {
        List<Helper> all = new java.util.ArrayList<>(all());
        all.addAll(PacketHelpers.forType(type));
        return List.copyOf(all);
    }

    /** {@code u64 bpf_ktime_get_ns(void)}: CLOCK_MONOTONIC, not counting suspend. */
    public static final class KtimeGetNs implements Helper {
        @Override public int id() { return BPF_FUNC_ktime_get_ns; }
        @Override public String name() { return "ktime_get_ns"; }
        @Override public long call(HelperContext c, long r1, long r2, long r3, long r4, long r5) {
            return clock(Platform.CLOCK_MONOTONIC, this);
        }
    }

    /** {@code u64 bpf_ktime_get_boot_ns(void)}: CLOCK_BOOTTIME, counting suspend. */
    public static final class KtimeGetBootNs implements Helper {
        @Override public int id() { return BPF_FUNC_ktime_get_boot_ns; }
        @Override public String name() { return "ktime_get_boot_ns"; }
        @Override public long call(HelperContext c, long r1, long r2, long r3, long r4, long r5) {
            return clock(Platform.CLOCK_BOOTTIME, this);
        }
    }

    /**
     * {@code u32 bpf_get_prandom_u32(void)}: a pseudo-random 32-bit value, zero-extended. The
     * kernel keeps one generator state per processor; a per-thread generator is our equivalent.
     */
    public static final class GetPrandomU32 implements Helper {
        @Override public int id() { return BPF_FUNC_get_prandom_u32; }
        @Override public String name() { return "get_prandom_u32"; }
        @Override public long call(HelperContext c, long r1, long r2, long r3, long r4, long r5) {
            return ThreadLocalRandom.current().nextInt() & 0xffffffffL;
        }
    }

    /** {@code u32 bpf_get_smp_processor_id(void)}: the processor the program runs on. */
    public static final class GetSmpProcessorId implements Helper {
        @Override public int id() { return BPF_FUNC_get_smp_processor_id; }
        @Override public String name() { return "get_smp_processor_id"; }
        @Override public long call(HelperContext c, long r1, long r2, long r3, long r4, long r5) {
            return c.processorId() & 0xffffffffL;
        }
    }

    /**
     * {@code long bpf_tail_call(void *ctx, struct bpf_map *prog_array_map, u32 index)}. It replaces
     * the running program, so the execution engine runs it itself (the kernel's interpreter and
     * JITs do the same); this entry only reserves the number in the helper table.
     */
    public static final class TailCall implements Helper {
        @Override public int id() { return BPF_FUNC_tail_call; }
        @Override public String name() { return "tail_call"; }
        @Override public long call(HelperContext c, long r1, long r2, long r3, long r4, long r5) {
            throw new HelperException("bpf_tail_call must be run by the execution engine, not called as a function");
        }
    }

    private static long clock(int clock, Helper h) {
        try {
            return Platform.clockNanos(clock);
        } catch (UnsupportedOperationException e) {
            throw new HelperException("bpf_" + h.name() + ": " + e.getMessage(), e);
        }
    }
}
