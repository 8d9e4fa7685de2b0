package org.obpf.kernelref;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The corpus table: for each object, the steps (user-space map updates, program runs) and the
 * results its .c file documents. Every input is one {@code BPF_PROG_TEST_RUN}; XDP and skb test
 * runs need at least ETH_HLEN (14) bytes of data on the kernel (and OBPF), so the documented
 * inputs shorter than that (an empty packet, 5 or 10 bytes) are not in the table.
 *
 * <p>Socket filters: the kernel's test_run treats the first 14 bytes of the input as the Ethernet
 * header and pulls them (skb->len = input - 14; offsets start after them), so their inputs are
 * the documented frames with 14 bytes prepended ({@link #eth14}); after the run the kernel pushes
 * those 14 bytes back as zeros, so data_out is the input with its first 14 bytes zeroed.
 */
final class CorpusCases {
    private CorpusCases() {}

    static final int XDP_ABORTED = 0, XDP_DROP = 1, XDP_PASS = 2, XDP_TX = 3;
    static final int TC_ACT_OK = 0, TC_ACT_SHOT = 2;
    static final int SKB_MARK = 8, SKB_PRIORITY = 32; // offsets in struct __sk_buff

    sealed interface Step permits Run, Update, SetProg {}

    /** Runs {@code prog} on {@code data}; {@code ctx}: with a zeroed __sk_buff in and out, whose u32 fields at {@code ctxExpect}'s offsets are checked. */
    record Run(String prog, byte[] data, boolean ctx, long expect, Map<Integer, Integer> ctxExpect, String label, String refused)
            implements Step {
        Run(String prog, byte[] data, boolean ctx, long expect, Map<Integer, Integer> ctxExpect, String label) {
            this(prog, data, ctx, expect, ctxExpect, label, null);
        }
    }

    record Update(String map, byte[] key, byte[] value) implements Step {}

    record SetProg(String map, int slot, String prog) implements Step {}

    /** One scenario on fresh maps. */
    static final class Case {
        final String name;
        final String object;
        final List<Step> steps = new ArrayList<>();
        /** map -> its expected non-zero entries (hex key -> hex value); arrays list only entries that are not all zero. */
        final Map<String, TreeMap<String, String>> maps = new LinkedHashMap<>();
        /** queue/stack map -> expected head (hex), or null for empty. */
        final Map<String, String> peeks = new LinkedHashMap<>();
        /** ring buffer -> expected records (hex). */
        final Map<String, List<String>> ringbufs = new LinkedHashMap<>();

        Case(String name, String object) {
            this.name = name;
            this.object = object;
        }

        Case run(String prog, byte[] data, long expect, String label) {
            steps.add(new Run(prog, data, false, expect, Map.of(), label));
            return this;
        }

        /** A run that test_run refuses, on the kernel and on OBPF alike, with {@code errno}. */
        Case runRefused(String prog, byte[] data, long expect, String label, String errno) {
            steps.add(new Run(prog, data, false, expect, Map.of(), label, errno));
            return this;
        }

        Case runCtx(String prog, byte[] data, long expect, String label, int off, int value, int off2, int value2) {
            steps.add(new Run(prog, data, true, expect, Map.of(off, value, off2, value2), label));
            return this;
        }

        Case update(String map, byte[] key, byte[] value) {
            steps.add(new Update(map, key, value));
            return this;
        }

        Case setProg(String map, int slot, String prog) {
            steps.add(new SetProg(map, slot, prog));
            return this;
        }

        /** Expects {@code map}'s non-zero entries to be exactly {@code kv} (hex key, hex value, ...). */
        Case map(String map, String... kv) {
            TreeMap<String, String> m = new TreeMap<>();
            for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
            maps.put(map, m);
            return this;
        }

        Case peek(String map, String head) {
            peeks.put(map, head);
            return this;
        }

        Case ringbuf(String map, String... records) {
            ringbufs.put(map, List.of(records));
            return this;
        }

        List<Run> runs() {
            return steps.stream().filter(s -> s instanceof Run).map(s -> (Run) s).toList();
        }

        @Override
        public String toString() {
            return name;
        }
    }

    // ---- packets ----

    static final byte[] IP_10_0_0_1 = {10, 0, 0, 1};
    static final byte[] IP_10_0_0_2 = {10, 0, 0, 2};

    /** Ethernet + IPv4 (IHL 5) + a UDP/TCP header with {@code dport}, zero-padded to {@code len} bytes. */
    static byte[] ipv4(int len, int proto, byte[] saddr, byte[] daddr, int ttl, int dport) {
        ByteBuffer b = ByteBuffer.allocate(Math.max(len, 42)).order(ByteOrder.BIG_ENDIAN);
        b.put(new byte[] {2, 0, 0, 0, 0, 1}).put(new byte[] {2, 0, 0, 0, 0, 2}).putShort((short) 0x0800);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (len - 14)).putShort((short) 1).putShort((short) 0)
                .put((byte) ttl).put((byte) proto).putShort((short) 0).put(saddr).put(daddr);
        b.putShort((short) 1234).putShort((short) dport).putShort((short) (len - 34)).putShort((short) 0);
        return Arrays.copyOf(b.array(), len);
    }

    static byte[] udp(int len, int dport) {
        return ipv4(len, 17, IP_10_0_0_1, IP_10_0_0_2, 64, dport);
    }

    static byte[] arp(int len) {
        byte[] p = new byte[len];
        System.arraycopy(new byte[] {-1, -1, -1, -1, -1, -1, 2, 0, 0, 0, 0, 2, 0x08, 0x06}, 0, p, 0, 14);
        return p;
    }

    static byte[] fill(int len, int v) {
        byte[] p = new byte[len];
        Arrays.fill(p, (byte) v);
        return p;
    }

    static byte[] first(int b, int len) {
        byte[] p = new byte[len];
        p[0] = (byte) b;
        return p;
    }

    /** 14 bytes the kernel's skb test_run pulls as the Ethernet header, then {@code frame}. */
    static byte[] eth14(byte[] frame) {
        byte[] p = new byte[14 + frame.length];
        System.arraycopy(frame, 0, p, 14, frame.length);
        p[12] = 0x08; // an IPv4 EtherType for eth_type_trans
        return p;
    }

    static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) b[i] = (byte) v[i];
        return b;
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) n += p.length;
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    static byte[] le32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    static String h32(int v) {
        return CorpusHarness.hex(le32(v));
    }

    static String h64(long v) {
        return CorpusHarness.hex(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
    }

    // ---- the table ----

    static List<Case> all() {
        List<Case> c = new ArrayList<>();

        c.add(new Case("xdp_parse_udp", "xdp_parse_udp")
                .run("xdp_parse_udp", udp(42, 9), XDP_DROP, "udp dport 9")
                .run("xdp_parse_udp", udp(42, 53), XDP_PASS, "udp dport 53")
                .run("xdp_parse_udp", udp(42, 7), XDP_TX, "udp dport 7")
                .run("xdp_parse_udp", arp(42), XDP_PASS, "arp")
                .run("xdp_parse_udp", ipv4(54, 6, IP_10_0_0_1, IP_10_0_0_2, 64, 9), XDP_PASS, "tcp")
                .run("xdp_parse_udp", Arrays.copyOf(udp(42, 9), 20), XDP_DROP, "ipv4 truncated (20 bytes)")
                .run("xdp_parse_udp", ihl4(udp(42, 53)), XDP_DROP, "ihl 4")
                .run("xdp_parse_udp", Arrays.copyOf(udp(42, 9), 38), XDP_DROP, "udp truncated (38 bytes)")
                .run("xdp_parse_udp", fill(14, 0), XDP_PASS, "14 zero bytes (EtherType 0)"));

        c.add(new Case("xdp_count_array", "xdp_count_array")
                .run("xdp_count_array", udp(60, 53), XDP_PASS, "udp 60 #1")
                .run("xdp_count_array", udp(60, 53), XDP_PASS, "udp 60 #2")
                .run("xdp_count_array", udp(60, 53), XDP_PASS, "udp 60 #3")
                .run("xdp_count_array", arp(42), XDP_PASS, "arp (not counted)")
                .run("xdp_count_array", Arrays.copyOf(udp(60, 53), 30), XDP_PASS, "ipv4 truncated (not counted)")
                .map("proto_packets", h32(17), h64(3))
                .map("proto_bytes", h32(17), h64(180)));

        c.add(new Case("hash_counter", "hash_counter")
                .run("count_sources", udp(100, 53), XDP_PASS, "100 bytes from 10.0.0.1 #1")
                .run("count_sources", udp(100, 53), XDP_PASS, "100 bytes from 10.0.0.1 #2")
                .run("count_sources", ipv4(64, 17, IP_10_0_0_2, IP_10_0_0_1, 64, 53), XDP_PASS, "64 bytes from 10.0.0.2")
                .run("count_sources", arp(42), XDP_PASS, "arp")
                .map("src_stats", "0a000001", h64(2) + h64(200), "0a000002", h64(1) + h64(64)));

        c.add(new Case("legacy_maps", "legacy_maps")
                .run("len_histogram", eth14(udp(100, 53)), 100, "100 bytes (+14)")
                .run("len_histogram", eth14(udp(2000, 53)), 2000, "2000 bytes (+14)")
                .run("len_histogram", eth14(udp(600, 53)), 600, "600 bytes (+14)")
                .map("len_hist", h32(0), h64(1), h32(2), h64(1), h32(7), h64(1))
                .map("last_len", h32(0), h32(600)));

        c.add(new Case("ringbuf_events", "ringbuf_events")
                .run("packet_events", udp(60, 53), XDP_PASS, "udp 60 ttl 64")
                .run("packet_events", ipv4(60, 17, IP_10_0_0_1, IP_10_0_0_2, 0, 53), XDP_PASS, "ttl 0 (discarded)")
                .run("packet_events", arp(42), XDP_PASS, "arp (no event)")
                .ringbuf("events", h32(60) + "0a000001" + "0a000002" + "11" + "40" + "0000"));

        // outer's definition puts inner_a in slot 0; the packet length's low bit picks the slot
        c.add(new Case("map_in_map", "map_in_map")
                .run("inner_count", udp(60, 53), XDP_PASS, "60 bytes: slot 0, inner_a")
                .run("inner_count", udp(61, 53), XDP_DROP, "61 bytes: slot 1, empty")
                .run("inner_count", udp(80, 53), XDP_PASS, "80 bytes: slot 0 again")
                .map("inner_a", h32(0), h64(2))
                .map("outer", h32(0), "inner_a"));

        c.add(new Case("tail_calls", "tail_calls")
                .setProg("jmp_table", 1, "handle_drop")
                .setProg("jmp_table", 2, "handle_tx")
                .run("dispatch", first(1, 14), XDP_DROP, "first byte 1")
                .run("dispatch", first(2, 14), XDP_TX, "first byte 2")
                .run("dispatch", first(0, 14), XDP_PASS, "first byte 0 (empty slot)")
                .run("dispatch", first(3, 14), XDP_PASS, "first byte 3 (empty slot)")
                .run("dispatch_static", first(1, 14), XDP_TX, "first byte 1")
                .run("dispatch_static", first(3, 14), XDP_DROP, "first byte 3")
                .run("dispatch_static", first(0, 14), XDP_PASS, "first byte 0")
                .run("dispatch_static", first(2, 14), XDP_PASS, "first byte 2")
                .run("handle_drop", first(0, 14), XDP_DROP, "direct")
                .run("handle_tx", first(0, 14), XDP_TX, "direct"));

        c.add(new Case("bpf2bpf_calls", "bpf2bpf_calls")
                .run("xdp_checksum", first(1, 14), XDP_DROP, "01 + 13 zeros")
                .run("xdp_checksum", first(2, 14), XDP_PASS, "02 + 13 zeros")
                .run("xdp_checksum", fill(64, 0xff), XDP_PASS, "64 x ff")
                .run("sock_scale", fill(24, 0), 41, "24 bytes (len 10)")
                .run("sock_scale", eth14(udp(100, 53)), 401, "114 bytes (len 100): 301 + 100"));

        c.add(new Case("global_data", "global_data")
                .run("classify_len", udp(150, 53), XDP_DROP, "150 bytes")
                .run("classify_len", udp(60, 53), XDP_PASS, "60 bytes")
                .map(".data", h32(0), h64(7) + h32(60))
                .map(".bss", h32(0), h64(1) + h64(1))
                .map(".rodata", h32(0), h32(100) + h32(1) + CorpusHarness.hex(bytes('o', 'b', 'p', 'f', 0, 0, 0, 0))));

        c.add(new Case("bounded_loop", "bounded_loop")
                .run("sum_bytes_loop", fill(32, 0xff), XDP_DROP, "32 x ff")
                .run("sum_bytes_loop", fill(14, 0xff), XDP_DROP, "14 x ff (3570)")
                .run("sum_bytes_loop", fill(64, 1), XDP_PASS, "64 x 01 (32 counted)")
                .run("sum_bytes_loop", fill(14, 0), XDP_PASS, "14 zeros"));

        c.add(new Case("lpm_route", "lpm_route")
                .update("routes", concat(le32(8), bytes(10, 0, 0, 0)), concat(le32(1), le32(XDP_DROP)))
                .update("routes", concat(le32(24), bytes(10, 1, 2, 0)), concat(le32(2), le32(XDP_TX)))
                .run("route_lookup", ipv4(60, 17, IP_10_0_0_1, bytes(10, 1, 2, 3), 64, 53), XDP_TX, "to 10.1.2.3 (/24)")
                .run("route_lookup", ipv4(60, 17, IP_10_0_0_1, bytes(10, 9, 9, 9), 64, 53), XDP_DROP, "to 10.9.9.9 (/8)")
                .run("route_lookup", ipv4(60, 17, IP_10_0_0_1, bytes(192, 168, 0, 1), 64, 53), XDP_PASS, "to 192.168.0.1 (none)")
                .run("route_lookup", arp(42), XDP_PASS, "arp")
                .map("routes", h32(24) + "0a010200", h32(2) + h32(XDP_TX), h32(8) + "0a000000", h32(1) + h32(XDP_DROP)));

        c.add(new Case("socket_filter", "socket_filter")
                .run("udp_only", eth14(udp(42, 53)), 42, "udp dport 53")
                .run("udp_only", eth14(ipv4(42, 6, IP_10_0_0_1, IP_10_0_0_2, 64, 53)), 0, "tcp")
                .run("udp_only", eth14(arp(42)), 0, "arp")
                .run("udp_only", eth14(udp(42, 0)), 0, "udp dport 0")
                .run("udp_only", eth14(udp(100, 9)), 100, "udp dport 9, 100 bytes"));

        c.add(new Case("tc_classifier", "tc_classifier")
                .runCtx("tc_mark", udp(60, 53), TC_ACT_OK, "ttl 64", SKB_MARK, 0x42, SKB_PRIORITY, 0)
                .runCtx("tc_mark", ipv4(60, 17, IP_10_0_0_1, IP_10_0_0_2, 1, 53), TC_ACT_SHOT, "ttl 1", SKB_MARK, 0, SKB_PRIORITY, 0)
                .runCtx("tc_mark", arp(42), TC_ACT_OK, "arp", SKB_MARK, 0, SKB_PRIORITY, 0)
                .runCtx("cls_priority", udp(1500, 53), TC_ACT_OK, "1500 bytes", SKB_PRIORITY, 6, SKB_MARK, 0)
                .runCtx("cls_priority", udp(64, 53), TC_ACT_OK, "64 bytes", SKB_PRIORITY, 0, SKB_MARK, 0));

        c.add(new Case("percpu_maps", "percpu_maps")
                .run("percpu_count", udp(60, 53), XDP_PASS, "ipv4 60")
                .run("percpu_count", arp(42), XDP_PASS, "arp 42")
                .map("pkt_count", h32(0), h64(2), h32(1), h64(1))
                .map("len_sum", h32(0x0800), h64(60), h32(0x0806), h64(42)));

        c.add(new Case("queue_stack: 60, 80, pop", "queue_stack")
                .run("push_len", udp(60, 53), XDP_PASS, "push 60")
                .run("push_len", udp(80, 53), XDP_PASS, "push 80")
                .run("pop_len", udp(60, 53), XDP_PASS, "pop 60 vs peek 80")
                .peek("len_queue", h32(80)).peek("len_stack", h32(80)));
        c.add(new Case("queue_stack: 60, pop", "queue_stack")
                .run("push_len", udp(60, 53), XDP_PASS, "push 60")
                .run("pop_len", udp(60, 53), XDP_DROP, "pop 60 vs peek 60")
                .peek("len_queue", null).peek("len_stack", h32(60)));
        c.add(new Case("queue_stack: pop on empty maps", "queue_stack")
                .run("pop_len", udp(60, 53), XDP_ABORTED, "empty")
                .peek("len_queue", null).peek("len_stack", null));

        c.add(new Case("multi_prog", "multi_prog")
                .run("xdp_first", udp(60, 53), XDP_PASS, "bump(0)")
                .run("xdp_second", udp(60, 53), XDP_PASS, "bump(1) = 1")
                .run("xdp_second", udp(60, 53), XDP_PASS, "bump(1) = 2")
                .run("xdp_second", udp(60, 53), XDP_DROP, "bump(1) = 3")
                .run("sock_count", fill(24, 0), 10, "24 bytes (len 10)")
                .run("tc_count", udp(60, 53), TC_ACT_OK, "bump(3)")
                // BPF_XDP_DEVMAP programs: bpf_prog_test_run_xdp refuses them (EINVAL), and so does OBPF's TestRunner.
                .runRefused("xdp_nocall", udp(60, 53), XDP_PASS, "devmap program", "EINVAL")
                .map("hits", h32(0), h64(1), h32(1), h64(3), h32(2), h64(1), h32(3), h64(1)));

        c.add(new Case("loop_callback", "loop_callback")
                .run("sum_squares", fill(19, 0), XDP_PASS, "n 5: 30")
                .run("sum_squares", fill(22, 0), XDP_DROP, "n 8: 140")
                .run("sum_squares", fill(64, 0), XDP_DROP, "n 16: 1240")
                .run("sum_squares", fill(14, 0), XDP_PASS, "n 0: 0"));

        c.add(new Case("attach_sections", "attach_sections")
                .run("act", udp(60, 53), 0, "SCHED_ACT returns 0"));

        return c;
    }

    private static byte[] ihl4(byte[] p) {
        p[14] = 0x44;
        return p;
    }

    /**
     * Programs of the corpus no case runs, with the reason: their types have no
     * {@code BPF_PROG_TEST_RUN} in OBPF's {@code TestRunner} (XDP, SCHED_CLS/ACT, SOCKET_FILTER,
     * FLAT only) and, for tracepoint and kprobe programs, none in the kernel either; or their
     * maps cannot be created in OBPF.
     */
    static final Map<String, String> NOT_RUN = notRun();

    private static Map<String, String> notRun() {
        Map<String, String> m = new LinkedHashMap<>();
        String noObpf = "OBPF's TestRunner has no test_run for this type; the kernel has one, and gives the documented result"
                + " (CorpusDifferentialTest.kernelGivesTheDocumentedResultsOfTypesObpfCannotRun)";
        m.put("tracing/count_execve", "TRACEPOINT: no test_run in the kernel (bpf_prog_test_run is not in tracepoint_prog_ops) nor in OBPF");
        m.put("tracing/count_syscalls", "RAW_TRACEPOINT: " + noObpf);
        m.put("tracing/count_tp_short", "TRACEPOINT: no test_run in the kernel nor in OBPF");
        m.put("attach_sections/cg_ingress", "CGROUP_SKB: " + noObpf);
        m.put("attach_sections/cg_egress", "CGROUP_SKB: " + noObpf);
        m.put("attach_sections/on_open", "KPROBE: no test_run in the kernel nor in OBPF");
        m.put("attach_sections/on_ret", "KPROBE: no test_run in the kernel nor in OBPF");
        m.put("attach_sections/raw_full", "RAW_TRACEPOINT: " + noObpf);
        m.put("attach_sections/do_syscall", "SYSCALL: " + noObpf);
        m.put("attach_sections/sk_verdict", "SK_SKB: no test_run in the kernel (ENOTSUPP, checked) nor in OBPF");
        return m;
    }
}
