package org.obpf.api.prog;

import java.util.Locale;
import java.util.Optional;

/**
 * Program types with the kernel's {@code enum bpf_prog_type} numbers and the names bpftool and
 * the kernel use ({@code xdp}, {@code sched_cls}, ...). {@link #FLAT} is OBPF's own type for raw
 * programs over flat memory (r1 = memory, r2 = its length), as the conformance suite runs them;
 * it has no kernel number.
 */
public enum ProgramType {
    UNSPEC(0),
    SOCKET_FILTER(1),
    KPROBE(2),
    SCHED_CLS(3),
    SCHED_ACT(4),
    TRACEPOINT(5),
    XDP(6),
    PERF_EVENT(7),
    CGROUP_SKB(8),
    CGROUP_SOCK(9),
    LWT_IN(10),
    LWT_OUT(11),
    LWT_XMIT(12),
    SOCK_OPS(13),
    SK_SKB(14),
    CGROUP_DEVICE(15),
    SK_MSG(16),
    RAW_TRACEPOINT(17),
    CGROUP_SOCK_ADDR(18),
    LWT_SEG6LOCAL(19),
    LIRC_MODE2(20),
    SK_REUSEPORT(21),
    FLOW_DISSECTOR(22),
    CGROUP_SYSCTL(23),
    RAW_TRACEPOINT_WRITABLE(24),
    CGROUP_SOCKOPT(25),
    TRACING(26),
    STRUCT_OPS(27),
    EXT(28),
    LSM(29),
    SK_LOOKUP(30),
    SYSCALL(31),
    NETFILTER(32),
    FLAT(-1);

    private final int kernelId;

    ProgramType(int kernelId) {
        this.kernelId = kernelId;
    }

    /** The kernel's {@code BPF_PROG_TYPE_*} number, or -1 for OBPF's own types. */
    public int kernelId() {
        return kernelId;
    }

    /** The lower-case name bpftool prints and accepts ({@code sched_cls}). */
    public String kernelName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<ProgramType> byName(String name) {
        for (ProgramType t : values()) {
            if (t.kernelName().equalsIgnoreCase(name)) return Optional.of(t);
        }
        return Optional.empty();
    }

    public static Optional<ProgramType> byKernelId(int id) {
        for (ProgramType t : values()) {
            if (t.kernelId == id && id >= 0) return Optional.of(t);
        }
        return Optional.empty();
    }
}
