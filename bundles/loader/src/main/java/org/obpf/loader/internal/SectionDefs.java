package org.obpf.loader.internal;

import static org.obpf.api.prog.ProgramType.*;

import java.util.List;
import java.util.Optional;

import org.obpf.api.obj.AttachType;
import org.obpf.api.prog.ProgramType;

/**
 * Program section names to program types and expected attach types, as libbpf's
 * {@code section_defs} (tools/lib/bpf/libbpf.c), first match wins. A pattern ending in
 * {@code '/'} matches names with that prefix; one ending in {@code '+'} matches the exact name
 * or the name followed by {@code '/'} and anything; others match exactly.
 */
public final class SectionDefs {
    private SectionDefs() {}

    /** One row of the table; {@code attach} is null where libbpf gives 0 meaning none. */
    public record SecDef(String pattern, ProgramType type, AttachType attach, boolean sleepable) {
        boolean matches(String sec) {
            int len = pattern.length();
            char last = pattern.charAt(len - 1);
            if (last == '/') return sec.startsWith(pattern);
            if (last == '+') {
                String p = pattern.substring(0, len - 1);
                return sec.equals(p) || sec.startsWith(p + "/");
            }
            return sec.equals(pattern);
        }
    }

    private static SecDef d(String p, ProgramType t) { return new SecDef(p, t, null, false); }
    private static SecDef d(String p, ProgramType t, AttachType a) { return new SecDef(p, t, a, false); }
    private static SecDef s(String p, ProgramType t, AttachType a) { return new SecDef(p, t, a, true); }

    static final List<SecDef> SECTION_DEFS = List.of(
        d("socket", SOCKET_FILTER),
        d("sk_reuseport/migrate", SK_REUSEPORT, AttachType.SK_REUSEPORT_SELECT_OR_MIGRATE),
        d("sk_reuseport", SK_REUSEPORT, AttachType.SK_REUSEPORT_SELECT),
        d("kprobe+", KPROBE),
        d("uprobe+", KPROBE),
        s("uprobe.s+", KPROBE, null),
        d("kretprobe+", KPROBE),
        d("uretprobe+", KPROBE),
        s("uretprobe.s+", KPROBE, null),
        d("kprobe.multi+", KPROBE, AttachType.TRACE_KPROBE_MULTI),
        d("kretprobe.multi+", KPROBE, AttachType.TRACE_KPROBE_MULTI),
        d("uprobe.multi+", KPROBE, AttachType.TRACE_UPROBE_MULTI),
        d("uretprobe.multi+", KPROBE, AttachType.TRACE_UPROBE_MULTI),
        s("uprobe.multi.s+", KPROBE, AttachType.TRACE_UPROBE_MULTI),
        s("uretprobe.multi.s+", KPROBE, AttachType.TRACE_UPROBE_MULTI),
        d("ksyscall+", KPROBE),
        d("kretsyscall+", KPROBE),
        d("usdt+", KPROBE),
        s("usdt.s+", KPROBE, null),
        d("tc/ingress", SCHED_CLS, AttachType.TCX_INGRESS),
        d("tc/egress", SCHED_CLS, AttachType.TCX_EGRESS),
        d("tcx/ingress", SCHED_CLS, AttachType.TCX_INGRESS),
        d("tcx/egress", SCHED_CLS, AttachType.TCX_EGRESS),
        d("tc", SCHED_CLS),
        d("classifier", SCHED_CLS),
        d("action", SCHED_ACT),
        d("netkit/primary", SCHED_CLS, AttachType.NETKIT_PRIMARY),
        d("netkit/peer", SCHED_CLS, AttachType.NETKIT_PEER),
        d("tracepoint+", TRACEPOINT),
        d("tp+", TRACEPOINT),
        d("raw_tracepoint+", RAW_TRACEPOINT),
        d("raw_tp+", RAW_TRACEPOINT),
        d("raw_tracepoint.w+", RAW_TRACEPOINT_WRITABLE),
        d("raw_tp.w+", RAW_TRACEPOINT_WRITABLE),
        d("tp_btf+", TRACING, AttachType.TRACE_RAW_TP),
        d("fentry+", TRACING, AttachType.TRACE_FENTRY),
        d("fmod_ret+", TRACING, AttachType.MODIFY_RETURN),
        d("fexit+", TRACING, AttachType.TRACE_FEXIT),
        s("fentry.s+", TRACING, AttachType.TRACE_FENTRY),
        s("fmod_ret.s+", TRACING, AttachType.MODIFY_RETURN),
        s("fexit.s+", TRACING, AttachType.TRACE_FEXIT),
        d("freplace+", EXT),
        d("lsm+", LSM, AttachType.LSM_MAC),
        s("lsm.s+", LSM, AttachType.LSM_MAC),
        d("lsm_cgroup+", LSM, AttachType.LSM_CGROUP),
        d("iter+", TRACING, AttachType.TRACE_ITER),
        s("iter.s+", TRACING, AttachType.TRACE_ITER),
        s("syscall", SYSCALL, null),
        d("xdp.frags/devmap", XDP, AttachType.XDP_DEVMAP),
        d("xdp/devmap", XDP, AttachType.XDP_DEVMAP),
        d("xdp.frags/cpumap", XDP, AttachType.XDP_CPUMAP),
        d("xdp/cpumap", XDP, AttachType.XDP_CPUMAP),
        d("xdp.frags", XDP, AttachType.XDP),
        d("xdp", XDP, AttachType.XDP),
        d("perf_event", PERF_EVENT),
        d("lwt_in", LWT_IN),
        d("lwt_out", LWT_OUT),
        d("lwt_xmit", LWT_XMIT),
        d("lwt_seg6local", LWT_SEG6LOCAL),
        d("sockops", SOCK_OPS, AttachType.CGROUP_SOCK_OPS),
        d("sk_skb/stream_parser", SK_SKB, AttachType.SK_SKB_STREAM_PARSER),
        d("sk_skb/stream_verdict", SK_SKB, AttachType.SK_SKB_STREAM_VERDICT),
        d("sk_skb", SK_SKB),
        d("sk_msg", SK_MSG, AttachType.SK_MSG_VERDICT),
        d("lirc_mode2", LIRC_MODE2, AttachType.LIRC_MODE2),
        d("flow_dissector", FLOW_DISSECTOR, AttachType.FLOW_DISSECTOR),
        d("cgroup_skb/ingress", CGROUP_SKB, AttachType.CGROUP_INET_INGRESS),
        d("cgroup_skb/egress", CGROUP_SKB, AttachType.CGROUP_INET_EGRESS),
        d("cgroup/skb", CGROUP_SKB),
        d("cgroup/sock_create", CGROUP_SOCK, AttachType.CGROUP_INET_SOCK_CREATE),
        d("cgroup/sock_release", CGROUP_SOCK, AttachType.CGROUP_INET_SOCK_RELEASE),
        d("cgroup/sock", CGROUP_SOCK, AttachType.CGROUP_INET_SOCK_CREATE),
        d("cgroup/post_bind4", CGROUP_SOCK, AttachType.CGROUP_INET4_POST_BIND),
        d("cgroup/post_bind6", CGROUP_SOCK, AttachType.CGROUP_INET6_POST_BIND),
        d("cgroup/bind4", CGROUP_SOCK_ADDR, AttachType.CGROUP_INET4_BIND),
        d("cgroup/bind6", CGROUP_SOCK_ADDR, AttachType.CGROUP_INET6_BIND),
        d("cgroup/connect4", CGROUP_SOCK_ADDR, AttachType.CGROUP_INET4_CONNECT),
        d("cgroup/connect6", CGROUP_SOCK_ADDR, AttachType.CGROUP_INET6_CONNECT),
        d("cgroup/connect_unix", CGROUP_SOCK_ADDR, AttachType.CGROUP_UNIX_CONNECT),
        d("cgroup/sendmsg4", CGROUP_SOCK_ADDR, AttachType.CGROUP_UDP4_SENDMSG),
        d("cgroup/sendmsg6", CGROUP_SOCK_ADDR, AttachType.CGROUP_UDP6_SENDMSG),
        d("cgroup/sendmsg_unix", CGROUP_SOCK_ADDR, AttachType.CGROUP_UNIX_SENDMSG),
        d("cgroup/recvmsg4", CGROUP_SOCK_ADDR, AttachType.CGROUP_UDP4_RECVMSG),
        d("cgroup/recvmsg6", CGROUP_SOCK_ADDR, AttachType.CGROUP_UDP6_RECVMSG),
        d("cgroup/recvmsg_unix", CGROUP_SOCK_ADDR, AttachType.CGROUP_UNIX_RECVMSG),
        d("cgroup/getpeername4", CGROUP_SOCK_ADDR, AttachType.CGROUP_INET4_GETPEERNAME),
        d("cgroup/getpeername6", CGROUP_SOCK_ADDR, AttachType.CGROUP_INET6_GETPEERNAME),
        d("cgroup/getpeername_unix", CGROUP_SOCK_ADDR, AttachType.CGROUP_UNIX_GETPEERNAME),
        d("cgroup/getsockname4", CGROUP_SOCK_ADDR, AttachType.CGROUP_INET4_GETSOCKNAME),
        d("cgroup/getsockname6", CGROUP_SOCK_ADDR, AttachType.CGROUP_INET6_GETSOCKNAME),
        d("cgroup/getsockname_unix", CGROUP_SOCK_ADDR, AttachType.CGROUP_UNIX_GETSOCKNAME),
        d("cgroup/sysctl", CGROUP_SYSCTL, AttachType.CGROUP_SYSCTL),
        d("cgroup/getsockopt", CGROUP_SOCKOPT, AttachType.CGROUP_GETSOCKOPT),
        d("cgroup/setsockopt", CGROUP_SOCKOPT, AttachType.CGROUP_SETSOCKOPT),
        d("cgroup/dev", CGROUP_DEVICE, AttachType.CGROUP_DEVICE),
        d("struct_ops+", ProgramType.STRUCT_OPS),
        s("struct_ops.s+", ProgramType.STRUCT_OPS, null),
        d("sk_lookup", SK_LOOKUP, AttachType.SK_LOOKUP),
        d("netfilter", NETFILTER, AttachType.NETFILTER));

    /** The first definition matching a section name, as libbpf's find_sec_def. */
    public static Optional<SecDef> find(String section) {
        for (SecDef d : SECTION_DEFS) {
            if (d.matches(section)) return Optional.of(d);
        }
        return Optional.empty();
    }
}
