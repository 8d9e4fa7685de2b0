package org.obpf.core.verifier;

import org.obpf.api.prog.ProgramType;

/**
 * Context-access rules per program type, the kernel's {@code is_valid_access} callbacks in
 * {@code net/core/filter.c} and {@code kernel/trace/bpf_trace.c}: which offsets and sizes of the
 * context a program may read or write, and what a load gives ({@code xdp_md->data} is
 * PTR_TO_PACKET ...). A valid access is recorded per instruction for the ctx rewriting pass.
 *
 * @param off   offset in the context structure
 * @param size  access size in bytes
 * @param write true for a store
 * @param field the field accessed ({@code data_end}, {@code cb[2]}, {@code regs+8})
 * @param type  what a load of the field gives (SCALAR_VALUE for plain fields)
 */
public record CtxAccess(int off, int size, boolean write, String field, RegType type) {

    /** {@code struct xdp_md}. */
    static final String[] XDP_FIELDS = {"data", "data_end", "data_meta", "ingress_ifindex", "rx_queue_index",
            "egress_ifindex"};

    /** sizeof(struct pt_regs) on x86-64. */
    static final int PT_REGS_SIZE = 21 * 8;
    static final int SK_BUFF_SIZE = 192;
    /** PERF_MAX_TRACE_SIZE. */
    static final int TRACEPOINT_CTX_SIZE = 8192;
    /** sizeof(u64) * MAX_BPF_FUNC_ARGS. */
    static final int RAW_TP_CTX_SIZE = 8 * 12;

    /**
     * The access, or null when the program type may not make it.
     *
     * @param flatSize size of FLAT's memory (r1), given by the caller
     */
    public static CtxAccess check(ProgramType type, int off, int size, boolean write, long flatSize) {
        return switch (type) {
            case XDP -> xdp(off, size, write);
            case SOCKET_FILTER -> skFilter(off, size, write);
            case SCHED_CLS, SCHED_ACT -> tc(off, size, write);
            case CGROUP_SKB -> cgroupSkb(off, size, write);
            case KPROBE -> !write && off >= 0 && off + size <= PT_REGS_SIZE && off % size == 0
                    ? new CtxAccess(off, size, false, "regs+" + off, RegType.SCALAR_VALUE) : null;
            case TRACEPOINT -> !write && off >= 0 && off < TRACEPOINT_CTX_SIZE && off % size == 0
                    ? new CtxAccess(off, size, false, "tp+" + off, RegType.SCALAR_VALUE) : null;
            case RAW_TRACEPOINT, RAW_TRACEPOINT_WRITABLE -> !write && off >= 0 && off < RAW_TP_CTX_SIZE && off % size == 0
                    ? new CtxAccess(off, size, false, "args[" + off / 8 + "]", RegType.SCALAR_VALUE) : null;
            case PERF_EVENT -> !write && off >= 0 && off + size <= PT_REGS_SIZE + 8 && off % size == 0
                    ? new CtxAccess(off, size, false, off < PT_REGS_SIZE ? "regs+" + off : "sample_period", RegType.SCALAR_VALUE) : null;
            case SYSCALL -> off >= 0 && off < 0xffff && off % size == 0
                    ? new CtxAccess(off, size, write, "ctx+" + off, RegType.SCALAR_VALUE) : null;
            case FLAT -> off >= 0 && off + size <= flatSize
                    ? new CtxAccess(off, size, write, "mem+" + off, RegType.SCALAR_VALUE) : null;
            default -> null;
        };
    }

    /** xdp_is_valid_access: 4-byte reads of the six fields; no writes; egress_ifindex only for devmap programs. */
    static CtxAccess xdp(int off, int size, boolean write) {
        if (write || off < 0 || off >= 24 || off % size != 0 || size != 4) return null;
        if (off == 20) return null; // egress_ifindex: BPF_XDP_DEVMAP attach type only
        RegType t = switch (off) {
            case 0 -> RegType.PTR_TO_PACKET;
            case 4 -> RegType.PTR_TO_PACKET_END;
            case 8 -> RegType.PTR_TO_PACKET_META;
            default -> RegType.SCALAR_VALUE;
        };
        return new CtxAccess(off, size, false, XDP_FIELDS[off / 4], t);
    }

    /** Field name of a {@code struct __sk_buff} offset. */
    static String skbField(int off) {
        String[] u32 = {"len", "pkt_type", "mark", "queue_mapping", "protocol", "vlan_present", "vlan_tci", "vlan_proto",
                "priority", "ingress_ifindex", "ifindex", "tc_index"};
        if (off < 48) return u32[off / 4];
        if (off < 68) return "cb[" + (off - 48) / 4 + "]";
        return switch (off / 4 * 4) {
            case 68 -> "hash";
            case 72 -> "tc_classid";
            case 76 -> "data";
            case 80 -> "data_end";
            case 84 -> "napi_id";
            case 88 -> "family";
            case 92 -> "remote_ip4";
            case 96 -> "local_ip4";
            case 132 -> "remote_port";
            case 136 -> "local_port";
            case 140 -> "data_meta";
            case 144, 148 -> "flow_keys";
            case 152, 156 -> "tstamp";
            case 160 -> "wire_len";
            case 164 -> "gso_segs";
            case 168, 172 -> "sk";
            case 176 -> "gso_size";
            case 180 -> "tstamp_type";
            case 184, 188 -> "hwtstamp";
            default -> off < 116 ? "remote_ip6[" + (off - 100) / 4 + "]" : "local_ip6[" + (off - 116) / 4 + "]";
        };
    }

    static boolean in(int off, int start, int endExclusive) {
        return off >= start && off < endExclusive;
    }

    /** bpf_skb_is_valid_access: the checks every __sk_buff program type shares. */
    static CtxAccess skb(int off, int size, boolean write, RegType type) {
        if (off < 0 || off >= SK_BUFF_SIZE || off % size != 0) return null;
        if (in(off, 48, 68)) {
            if (off + size > 68) return null;
        } else if (in(off, 92, 132) || in(off, 76, 84) || in(off, 140, 144)) {
            if (size != 4) return null;
        } else if (in(off, 144, 152)) {
            return null; // flow_keys
        } else if (in(off, 184, 192)) {
            if (write || size != 8) return null;
        } else if (in(off, 152, 160)) {
            if (size != 8) return null;
        } else if (in(off, 168, 176)) {
            return null; // sk: PTR_TO_SOCK_COMMON_OR_NULL, not modelled
        } else if (in(off, 180, 184)) {
            return null; // tstamp_type and padding
        } else if (write) {
            if (size != 4) return null;
        } else if (size > 4 || (size & (size - 1)) != 0) {
            return null; // narrow reads of u32 fields only
        }
        return new CtxAccess(off, size, write, skbField(off), type);
    }

    /** sk_filter_is_valid_access. */
    static CtxAccess skFilter(int off, int size, boolean write) {
        if (in(off, 72, 84) || in(off, 140, 144) || in(off, 88, 140) || in(off, 152, 164) || in(off, 184, 192)) return null;
        if (write && !in(off, 48, 68)) return null;
        return skb(off, size, write, RegType.SCALAR_VALUE);
    }

    /** tc_cls_act_is_valid_access. */
    static CtxAccess tc(int off, int size, boolean write) {
        if (write && !(in(off, 8, 16) || in(off, 44, 48) || in(off, 32, 36) || in(off, 72, 76) || in(off, 48, 68)
                || in(off, 152, 160))) {
            return null; // writable: mark, queue_mapping, tc_index, priority, tc_classid, cb[], tstamp
        }
        if (in(off, 88, 140)) return null;
        return skb(off, size, write, pointerField(off));
    }

    /** cg_skb_is_valid_access, for a privileged loader. */
    static CtxAccess cgroupSkb(int off, int size, boolean write) {
        if (in(off, 72, 76) || in(off, 140, 144)) return null;
        if (write && !(in(off, 8, 12) || in(off, 32, 36) || in(off, 48, 68) || in(off, 152, 160))) return null;
        return skb(off, size, write, pointerField(off));
    }

    private static RegType pointerField(int off) {
        return switch (off) {
            case 76 -> RegType.PTR_TO_PACKET;
            case 80 -> RegType.PTR_TO_PACKET_END;
            case 140 -> RegType.PTR_TO_PACKET_META;
            default -> RegType.SCALAR_VALUE;
        };
    }

    /** may_access_direct_pkt_data for writes. */
    static boolean packetWritable(ProgramType type) {
        return type == ProgramType.XDP || type == ProgramType.SCHED_CLS || type == ProgramType.SCHED_ACT;
    }

    /** check_return_code: the range R0 must be in at program exit, or null for none. */
    static long[] returnRange(ProgramType type) {
        return switch (type) {
            case CGROUP_SKB, CGROUP_SOCK, SOCK_OPS, CGROUP_DEVICE, CGROUP_SYSCTL, CGROUP_SOCKOPT, SK_LOOKUP, NETFILTER,
                 CGROUP_SOCK_ADDR -> new long[] {0, 1};
            default -> null;
        };
    }
}
