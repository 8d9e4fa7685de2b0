package org.obpf.core.verifier;

import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.obpf.api.map.MapType;
import org.obpf.api.prog.ProgramType;
import org.obpf.core.helper.HelperNames;

/**
 * A helper's prototype, the kernel's {@code struct bpf_func_proto}: what each argument register
 * must hold and what R0 holds after the call; plus the table of the helpers OBPF's verifier
 * knows, which program types may call each one, and which map types each one takes
 * ({@code check_map_func_compatibility}).
 */
public record HelperProto(int id, Ret ret, List<Arg> args) {

    /** enum bpf_arg_type, the kinds this table uses. */
    public enum Arg {
        /** Any initialised value. */
        ANYTHING,
        CONST_MAP_PTR,
        /** Readable memory of the map's key size. */
        PTR_TO_MAP_KEY,
        /** Readable memory of the map's value size. */
        PTR_TO_MAP_VALUE,
        /** Writable memory of the map's value size (pop/peek write into it). */
        PTR_TO_UNINIT_MAP_VALUE,
        /** Readable memory whose size is the next argument. */
        PTR_TO_MEM,
        /** Like {@link #PTR_TO_MEM}, or a null (0) pointer. */
        PTR_TO_MEM_OR_NULL,
        /** Memory the helper writes, size in the next argument. */
        PTR_TO_UNINIT_MEM,
        /** Size of the previous memory argument, more than 0. */
        CONST_SIZE,
        CONST_SIZE_OR_ZERO,
        /** A size known at verification time (bpf_ringbuf_reserve). */
        CONST_ALLOC_SIZE_OR_ZERO,
        PTR_TO_CTX,
        /** Memory from bpf_ringbuf_reserve, null-checked; the reference is released. */
        PTR_TO_RINGBUF_MEM,
        /** A sub-program address (ld_imm64 with BPF_PSEUDO_FUNC): a callback. */
        PTR_TO_FUNC,
        /** A stack pointer or 0 (the callback's context argument). */
        PTR_TO_STACK_OR_NULL,
        /** A NUL-terminated string in a read-only map value (strncmp, snprintf formats). */
        PTR_TO_CONST_STR
    }

    /** enum bpf_return_type. */
    public enum Ret { INTEGER, VOID, PTR_TO_MAP_VALUE_OR_NULL, PTR_TO_RINGBUF_MEM_OR_NULL }

    public static final int MAP_LOOKUP_ELEM = 1, MAP_UPDATE_ELEM = 2, MAP_DELETE_ELEM = 3, PROBE_READ = 4,
            KTIME_GET_NS = 5, TRACE_PRINTK = 6, GET_PRANDOM_U32 = 7, GET_SMP_PROCESSOR_ID = 8, SKB_STORE_BYTES = 9,
            L3_CSUM_REPLACE = 10, L4_CSUM_REPLACE = 11, TAIL_CALL = 12, GET_CURRENT_PID_TGID = 14,
            GET_CURRENT_UID_GID = 15, GET_CURRENT_COMM = 16, REDIRECT = 23, PERF_EVENT_OUTPUT = 25,
            SKB_LOAD_BYTES = 26, CSUM_DIFF = 28, GET_HASH_RECALC = 34, XDP_ADJUST_HEAD = 44, REDIRECT_MAP = 51,
            XDP_ADJUST_META = 54, XDP_ADJUST_TAIL = 65, MAP_PUSH_ELEM = 87, MAP_POP_ELEM = 88, MAP_PEEK_ELEM = 89,
            PROBE_READ_USER = 112, PROBE_READ_KERNEL = 113, KTIME_GET_BOOT_NS = 125, RINGBUF_OUTPUT = 130,
            RINGBUF_RESERVE = 131, RINGBUF_SUBMIT = 132, RINGBUF_DISCARD = 133, RINGBUF_QUERY = 134,
            FOR_EACH_MAP_ELEM = 164, SNPRINTF = 165, LOOP = 181, STRNCMP = 182,
            CLONE_REDIRECT = 13, SKB_VLAN_PUSH = 18, SKB_VLAN_POP = 19, GET_CURRENT_TASK = 35, SKB_CHANGE_TAIL = 38,
            SKB_PULL_DATA = 39, CSUM_UPDATE = 40, GET_NUMA_NODE_ID = 42, SKB_CHANGE_HEAD = 43, GET_SOCKET_COOKIE = 46,
            SKB_ADJUST_ROOM = 50, GET_STACK = 67, GET_CURRENT_CGROUP_ID = 80, PROBE_READ_USER_STR = 114,
            PROBE_READ_KERNEL_STR = 115, JIFFIES64 = 118, KTIME_GET_COARSE_NS = 160, XDP_LOAD_BYTES = 189,
            XDP_STORE_BYTES = 190;

    private static final Map<Integer, HelperProto> PROTOS = new HashMap<>();

    private static void def(int id, Ret ret, Arg... args) {
        PROTOS.put(id, new HelperProto(id, ret, List.of(args)));
    }

    static {
        Arg A = Arg.ANYTHING;
        def(MAP_LOOKUP_ELEM, Ret.PTR_TO_MAP_VALUE_OR_NULL, Arg.CONST_MAP_PTR, Arg.PTR_TO_MAP_KEY);
        def(MAP_UPDATE_ELEM, Ret.INTEGER, Arg.CONST_MAP_PTR, Arg.PTR_TO_MAP_KEY, Arg.PTR_TO_MAP_VALUE, A);
        def(MAP_DELETE_ELEM, Ret.INTEGER, Arg.CONST_MAP_PTR, Arg.PTR_TO_MAP_KEY);
        def(MAP_PUSH_ELEM, Ret.INTEGER, Arg.CONST_MAP_PTR, Arg.PTR_TO_MAP_VALUE, A);
        def(MAP_POP_ELEM, Ret.INTEGER, Arg.CONST_MAP_PTR, Arg.PTR_TO_UNINIT_MAP_VALUE);
        def(MAP_PEEK_ELEM, Ret.INTEGER, Arg.CONST_MAP_PTR, Arg.PTR_TO_UNINIT_MAP_VALUE);
        def(PROBE_READ, Ret.INTEGER, Arg.PTR_TO_UNINIT_MEM, Arg.CONST_SIZE_OR_ZERO, A);
        def(PROBE_READ_USER, Ret.INTEGER, Arg.PTR_TO_UNINIT_MEM, Arg.CONST_SIZE_OR_ZERO, A);
        def(PROBE_READ_KERNEL, Ret.INTEGER, Arg.PTR_TO_UNINIT_MEM, Arg.CONST_SIZE_OR_ZERO, A);
        def(KTIME_GET_NS, Ret.INTEGER);
        def(KTIME_GET_BOOT_NS, Ret.INTEGER);
        def(GET_PRANDOM_U32, Ret.INTEGER);
        def(GET_SMP_PROCESSOR_ID, Ret.INTEGER);
        def(GET_CURRENT_PID_TGID, Ret.INTEGER);
        def(GET_CURRENT_UID_GID, Ret.INTEGER);
        def(GET_CURRENT_COMM, Ret.INTEGER, Arg.PTR_TO_UNINIT_MEM, Arg.CONST_SIZE);
        // bpf_trace_printk_proto declares fmt and fmt_size only: r3-r5 are passed unchecked (may be unset).
        def(TRACE_PRINTK, Ret.INTEGER, Arg.PTR_TO_MEM, Arg.CONST_SIZE);
        def(SKB_STORE_BYTES, Ret.INTEGER, Arg.PTR_TO_CTX, A, Arg.PTR_TO_MEM, Arg.CONST_SIZE, A);
        def(SKB_LOAD_BYTES, Ret.INTEGER, Arg.PTR_TO_CTX, A, Arg.PTR_TO_UNINIT_MEM, Arg.CONST_SIZE);
        def(L3_CSUM_REPLACE, Ret.INTEGER, Arg.PTR_TO_CTX, A, A, A, A);
        def(L4_CSUM_REPLACE, Ret.INTEGER, Arg.PTR_TO_CTX, A, A, A, A);
        def(CSUM_DIFF, Ret.INTEGER, Arg.PTR_TO_MEM_OR_NULL, Arg.CONST_SIZE_OR_ZERO, Arg.PTR_TO_MEM_OR_NULL,
                Arg.CONST_SIZE_OR_ZERO, A);
        def(GET_HASH_RECALC, Ret.INTEGER, Arg.PTR_TO_CTX);
        def(TAIL_CALL, Ret.VOID, Arg.PTR_TO_CTX, Arg.CONST_MAP_PTR, A);
        def(REDIRECT, Ret.INTEGER, A, A);
        def(REDIRECT_MAP, Ret.INTEGER, Arg.CONST_MAP_PTR, A, A);
        def(XDP_ADJUST_HEAD, Ret.INTEGER, Arg.PTR_TO_CTX, A);
        def(XDP_ADJUST_TAIL, Ret.INTEGER, Arg.PTR_TO_CTX, A);
        def(XDP_ADJUST_META, Ret.INTEGER, Arg.PTR_TO_CTX, A);
        def(PERF_EVENT_OUTPUT, Ret.INTEGER, Arg.PTR_TO_CTX, Arg.CONST_MAP_PTR, A, Arg.PTR_TO_MEM, Arg.CONST_SIZE_OR_ZERO);
        def(RINGBUF_OUTPUT, Ret.INTEGER, Arg.CONST_MAP_PTR, Arg.PTR_TO_MEM, Arg.CONST_SIZE_OR_ZERO, A);
        def(RINGBUF_RESERVE, Ret.PTR_TO_RINGBUF_MEM_OR_NULL, Arg.CONST_MAP_PTR, Arg.CONST_ALLOC_SIZE_OR_ZERO, A);
        def(RINGBUF_SUBMIT, Ret.VOID, Arg.PTR_TO_RINGBUF_MEM, A);
        def(RINGBUF_DISCARD, Ret.VOID, Arg.PTR_TO_RINGBUF_MEM, A);
        def(RINGBUF_QUERY, Ret.INTEGER, Arg.CONST_MAP_PTR, A);
        def(FOR_EACH_MAP_ELEM, Ret.INTEGER, Arg.CONST_MAP_PTR, Arg.PTR_TO_FUNC, Arg.PTR_TO_STACK_OR_NULL, A);
        def(LOOP, Ret.INTEGER, A, Arg.PTR_TO_FUNC, Arg.PTR_TO_STACK_OR_NULL, A);
        def(STRNCMP, Ret.INTEGER, Arg.PTR_TO_MEM, Arg.CONST_SIZE, Arg.PTR_TO_CONST_STR);
        def(PROBE_READ_USER_STR, Ret.INTEGER, Arg.PTR_TO_UNINIT_MEM, Arg.CONST_SIZE_OR_ZERO, A);
        def(PROBE_READ_KERNEL_STR, Ret.INTEGER, Arg.PTR_TO_UNINIT_MEM, Arg.CONST_SIZE_OR_ZERO, A);
        def(GET_CURRENT_TASK, Ret.INTEGER);
        def(GET_CURRENT_CGROUP_ID, Ret.INTEGER);
        def(GET_NUMA_NODE_ID, Ret.INTEGER);
        def(JIFFIES64, Ret.INTEGER);
        def(KTIME_GET_COARSE_NS, Ret.INTEGER);
        def(GET_STACK, Ret.INTEGER, Arg.PTR_TO_CTX, Arg.PTR_TO_UNINIT_MEM, Arg.CONST_SIZE_OR_ZERO, A);
        def(CLONE_REDIRECT, Ret.INTEGER, Arg.PTR_TO_CTX, A, A);
        def(SKB_VLAN_PUSH, Ret.INTEGER, Arg.PTR_TO_CTX, A, A);
        def(SKB_VLAN_POP, Ret.INTEGER, Arg.PTR_TO_CTX);
        def(SKB_CHANGE_TAIL, Ret.INTEGER, Arg.PTR_TO_CTX, A, A);
        def(SKB_CHANGE_HEAD, Ret.INTEGER, Arg.PTR_TO_CTX, A, A);
        def(SKB_PULL_DATA, Ret.INTEGER, Arg.PTR_TO_CTX, A);
        def(SKB_ADJUST_ROOM, Ret.INTEGER, Arg.PTR_TO_CTX, A, A, A);
        def(CSUM_UPDATE, Ret.INTEGER, Arg.PTR_TO_CTX, A);
        def(GET_SOCKET_COOKIE, Ret.INTEGER, Arg.PTR_TO_CTX);
        def(XDP_LOAD_BYTES, Ret.INTEGER, Arg.PTR_TO_CTX, A, Arg.PTR_TO_UNINIT_MEM, Arg.CONST_SIZE);
        def(XDP_STORE_BYTES, Ret.INTEGER, Arg.PTR_TO_CTX, A, Arg.PTR_TO_MEM, Arg.CONST_SIZE);
        def(SNPRINTF, Ret.INTEGER, Arg.PTR_TO_UNINIT_MEM, Arg.CONST_SIZE_OR_ZERO, Arg.PTR_TO_CONST_STR,
                Arg.PTR_TO_MEM_OR_NULL, Arg.CONST_SIZE_OR_ZERO);
    }

    /** bpf_base_func_proto: what every program type may call. */
    private static final Set<Integer> BASE = Set.of(MAP_LOOKUP_ELEM, MAP_UPDATE_ELEM, MAP_DELETE_ELEM, MAP_PUSH_ELEM,
            MAP_POP_ELEM, MAP_PEEK_ELEM, KTIME_GET_NS, KTIME_GET_BOOT_NS, GET_PRANDOM_U32, GET_SMP_PROCESSOR_ID,
            TAIL_CALL, RINGBUF_OUTPUT, RINGBUF_RESERVE, RINGBUF_SUBMIT, RINGBUF_DISCARD, RINGBUF_QUERY,
            FOR_EACH_MAP_ELEM, LOOP, STRNCMP, SNPRINTF, TRACE_PRINTK, PROBE_READ_USER, PROBE_READ_KERNEL,
            PROBE_READ_USER_STR, PROBE_READ_KERNEL_STR, GET_NUMA_NODE_ID, JIFFIES64, KTIME_GET_COARSE_NS,
            GET_CURRENT_TASK, GET_CURRENT_CGROUP_ID,
            // every program type since Linux 6.10 (checked on 6.18)
            GET_CURRENT_PID_TGID, GET_CURRENT_UID_GID, GET_CURRENT_COMM);

    private static final Set<Integer> XDP = Set.of(PERF_EVENT_OUTPUT, CSUM_DIFF, XDP_ADJUST_HEAD, XDP_ADJUST_TAIL,
            XDP_ADJUST_META, REDIRECT, REDIRECT_MAP, XDP_LOAD_BYTES, XDP_STORE_BYTES);
    private static final Set<Integer> TC = Set.of(SKB_STORE_BYTES, SKB_LOAD_BYTES, CSUM_DIFF, L3_CSUM_REPLACE,
            L4_CSUM_REPLACE, REDIRECT, GET_HASH_RECALC, PERF_EVENT_OUTPUT, CLONE_REDIRECT, SKB_VLAN_PUSH, SKB_VLAN_POP,
            SKB_CHANGE_TAIL, SKB_CHANGE_HEAD, SKB_PULL_DATA, SKB_ADJUST_ROOM, CSUM_UPDATE, GET_SOCKET_COOKIE);
    private static final Set<Integer> SKB = Set.of(SKB_LOAD_BYTES, PERF_EVENT_OUTPUT, GET_SOCKET_COOKIE);
    private static final Set<Integer> TRACING = Set.of(PERF_EVENT_OUTPUT, GET_CURRENT_PID_TGID, GET_CURRENT_UID_GID,
            GET_CURRENT_COMM, PROBE_READ, GET_STACK);

    /** get_func_proto of the program type: the prototype, or null when the type may not call it. */
    public static HelperProto forProgram(ProgramType type, int id) {
        HelperProto p = PROTOS.get(id);
        if (p == null) return null;
        boolean tracing = switch (type) {
            case KPROBE, TRACEPOINT, RAW_TRACEPOINT, PERF_EVENT, RAW_TRACEPOINT_WRITABLE -> true;
            default -> false;
        };
        // bpf_tracing_func_proto refuses the coarse clock (a seqlock tracing may interrupt)
        if (tracing && id == KTIME_GET_COARSE_NS) return null;
        if (BASE.contains(id)) return p;
        Set<Integer> extra = switch (type) {
            case XDP -> XDP;
            case SCHED_CLS, SCHED_ACT -> TC;
            case SOCKET_FILTER, CGROUP_SKB -> SKB;
            case KPROBE, TRACEPOINT, RAW_TRACEPOINT, PERF_EVENT, RAW_TRACEPOINT_WRITABLE -> TRACING;
            default -> Set.of();
        };
        return extra.contains(id) ? p : null;
    }

    /** The kernel's func_id_name: {@code bpf_map_lookup_elem}. */
    public static String name(int id) {
        return HelperNames.name(id).map(n -> "bpf_" + n).orElse("unknown");
    }

    /** check_map_func_compatibility: may helper {@code id} take a map of this type. */
    public static boolean mapCompatible(int id, MapType type) {
        // First the map type's own list of helpers.
        switch (type) {
            case PROG_ARRAY -> { if (id != TAIL_CALL) return false; }
            case PERF_EVENT_ARRAY -> { if (id != PERF_EVENT_OUTPUT) return false; }
            case RINGBUF -> { if (id != RINGBUF_OUTPUT && id != RINGBUF_RESERVE && id != RINGBUF_QUERY) return false; }
            case QUEUE, STACK -> { if (id != MAP_PUSH_ELEM && id != MAP_POP_ELEM && id != MAP_PEEK_ELEM) return false; }
            case DEVMAP, DEVMAP_HASH, XSKMAP -> { if (id != REDIRECT_MAP && id != MAP_LOOKUP_ELEM) return false; }
            case CPUMAP -> { if (id != REDIRECT_MAP) return false; }
            case ARRAY_OF_MAPS, HASH_OF_MAPS -> { if (id != MAP_LOOKUP_ELEM) return false; }
            default -> { }
        }
        // Then the helper's own list of map types.
        return switch (id) {
            case TAIL_CALL -> type == MapType.PROG_ARRAY;
            case PERF_EVENT_OUTPUT -> type == MapType.PERF_EVENT_ARRAY;
            case RINGBUF_OUTPUT, RINGBUF_RESERVE, RINGBUF_QUERY -> type == MapType.RINGBUF;
            case REDIRECT_MAP -> EnumSet.of(MapType.DEVMAP, MapType.DEVMAP_HASH, MapType.CPUMAP, MapType.XSKMAP).contains(type);
            case MAP_PUSH_ELEM, MAP_POP_ELEM, MAP_PEEK_ELEM -> type == MapType.QUEUE || type == MapType.STACK;
            case FOR_EACH_MAP_ELEM -> EnumSet.of(MapType.HASH, MapType.LRU_HASH, MapType.ARRAY, MapType.PERCPU_ARRAY,
                    MapType.PERCPU_HASH, MapType.LRU_PERCPU_HASH).contains(type);
            default -> true;
        };
    }
}
