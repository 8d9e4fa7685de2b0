package org.obpf.core.run;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.List;
import org.obpf.api.BpfException;
import org.obpf.api.Errno;
import org.obpf.api.obj.AttachType;
import org.obpf.api.prog.ProgramType;
import org.obpf.api.prog.SkBuff;
import org.obpf.api.prog.TestRun;
import org.obpf.api.prog.XdpMd;
import org.obpf.core.helper.PacketHelpers;
import org.obpf.core.prelink.KernelCtx.SkBuffK;
import org.obpf.core.prelink.KernelCtx.XdpBuff;
import org.obpf.core.prelink.Prelinked;

/**
 * {@code BPF_PROG_TEST_RUN} ({@code net/bpf/test_run.c}) for XDP, tc and socket filter programs
 * and OBPF's flat-memory type: the packet is copied into native memory laid out as the kernel
 * lays it out (XDP: {@value XdpMd#XDP_PACKET_HEADROOM} bytes of headroom in a 4096-byte frame
 * with the shared-info tailroom; skb: {@value #NET_SKB_PAD} bytes of headroom), {@code ctx_in} is
 * checked as {@code xdp_convert_md_to_buff} and {@code convert___skb_to_skb} check it, the program
 * runs {@code repeat} times on the same buffers (as the kernel's does), and the packet, the
 * context, the return value and the average duration come back.
 */
public final class TestRunner {
    public static final int PAGE_SIZE = 4096;
    /** {@code NET_SKB_PAD}: max(32, L1_CACHE_BYTES) on x86-64. */
    public static final int NET_SKB_PAD = 64;
    /** The loopback device's ifindex: where test runs receive packets, as in the kernel. */
    public static final int LOOPBACK_IFINDEX = 1;
    private static final int TAILROOM = PacketHelpers.SKB_SHARED_INFO_SIZE;
    private static final int ETH_HLEN = SkBuff.ETH_HLEN;

    private final ExecutionEngine engine;

    public TestRunner(ExecutionEngine engine) {
        this.engine = engine;
    }

    public TestRunner() {
        this(new InterpreterExecution());
    }

    /** Runs {@code program} as {@code BPF_PROG_TEST_RUN} does. */
    public TestRun.Result run(Prelinked program, TestRun.Request request) throws BpfException {
        ExecutionEngine.Executable exe = engine.prepare(program);
        return switch (program.type()) {
            case XDP -> {
                // bpf_prog_test_run_xdp: programs for a devmap or cpumap entry run on redirected
                // frames only and have no test_run.
                var attach = program.expectedAttachType();
                if (attach.isPresent() && (attach.get() == AttachType.XDP_DEVMAP || attach.get() == AttachType.XDP_CPUMAP)) {
                    throw new BpfException(Errno.EINVAL, "test_run: XDP programs for attach type "
                            + attach.get().name().toLowerCase() + " cannot be test-run");
                }
                yield xdp(exe, request);
            }
            case SCHED_CLS, SCHED_ACT, SOCKET_FILTER -> skb(exe, request, program.type() != ProgramType.SOCKET_FILTER);
            case FLAT -> flat(exe, request);
            default -> throw new BpfException(Errno.ENOTSUPP, "test_run is not supported for " + program.type().kernelName() + " programs");
        };
    }

    private static int repeat(TestRun.Request r) {
        return Math.max(1, r.repeat());
    }

    private record Timed(long retval, long durationNs) {}

    private static Timed loop(ExecutionEngine.Executable exe, long ctx, long r2, List<ExecutionEngine.Region> regions, int repeat)
            throws BpfException {
        long ret = 0;
        long start = System.nanoTime();
        for (int i = 0; i < repeat; i++) ret = exe.run(ctx, r2, regions);
        long total = System.nanoTime() - start;
        long avg = total / repeat;
        return new Timed(ret & 0xffffffffL, Math.min(avg, 0xffffffffL)); // the kernel reports u32 retval and duration
    }

    /** bpf_ctx_init: at most {@code max} bytes of ctx_in; bytes beyond must be zero (E2BIG otherwise). */
    private static byte[] ctxInit(byte[] ctxIn, int max) throws BpfException {
        if (ctxIn == null) return null;
        for (int i = max; i < ctxIn.length; i++) {
            if (ctxIn[i] != 0) throw new BpfException(Errno.E2BIG, "ctx_in: " + ctxIn.length + " bytes, only " + max + " used and the rest is not zero");
        }
        return Arrays.copyOf(ctxIn, max);
    }

    private static int u32(byte[] b, int off) {
        return b[off] & 0xff | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16 | (b[off + 3] & 0xff) << 24;
    }

    private static void putU32(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >> 8);
        b[off + 2] = (byte) (v >> 16);
        b[off + 3] = (byte) (v >> 24);
    }

    /** bpf_test_finish: copies what fits, ENOSPC when the packet is larger than data_size_out. */
    private static TestRun.Result finish(Timed t, MemorySegment data, int size, TestRun.Request r, byte[] ctxOut, Errno ctxError) {
        Errno error = ctxError;
        byte[] out;
        if (r.dataSizeOut() == 0) {
            out = new byte[0];
        } else {
            int copy = Math.min(size, r.dataSizeOut());
            if (copy < size) error = Errno.ENOSPC;
            out = data.asSlice(0, copy).toArray(ValueLayout.JAVA_BYTE);
        }
        return new TestRun.Result(t.retval(), out, size, ctxOut, t.durationNs(), error);
    }

    // ---- XDP: bpf_prog_test_run_xdp ----

    private TestRun.Result xdp(ExecutionEngine.Executable exe, TestRun.Request r) throws BpfException {
        byte[] ctx = ctxInit(r.ctxIn() == null && r.ctxSizeOut() > 0 ? new byte[XdpMd.SIZE] : r.ctxIn(), XdpMd.SIZE);
        int size = r.dataIn().length;
        int headroom = XdpMd.XDP_PACKET_HEADROOM;
        int maxData = PAGE_SIZE - headroom - TAILROOM;
        if (size < ETH_HLEN) throw new BpfException(Errno.EINVAL, "data_in: " + size + " bytes, at least ETH_HLEN (14) needed");
        if (size > maxData) {
            throw new BpfException(Errno.E2BIG, "data_in: " + size + " bytes; OBPF has no multi-buffer XDP, the most is " + maxData);
        }
        int metalen = 0;
        int ingress = LOOPBACK_IFINDEX;
        int rxQueue = 0;
        if (ctx != null) {
            int data = u32(ctx, XdpMd.DATA), dataEnd = u32(ctx, XdpMd.DATA_END), dataMeta = u32(ctx, XdpMd.DATA_META);
            if (dataMeta != 0 || dataEnd != size || Integer.compareUnsigned(data, dataEnd) > 0 || (data & 3) != 0 || data > 32) {
                throw new BpfException(Errno.EINVAL, "ctx_in: xdp_md needs data_meta 0, data_end = data size (" + size
                        + ") and data = metadata length (a multiple of 4, at most 32); got data " + data + ", data_end " + dataEnd
                        + ", data_meta " + dataMeta);
            }
            metalen = data;
            headroom -= metalen;
            // xdp_convert_md_to_buff
            if (u32(ctx, XdpMd.EGRESS_IFINDEX) != 0) throw new BpfException(Errno.EINVAL, "ctx_in: egress_ifindex must be 0");
            ingress = u32(ctx, XdpMd.INGRESS_IFINDEX);
            rxQueue = u32(ctx, XdpMd.RX_QUEUE_INDEX);
            if (ingress == 0 && rxQueue != 0) throw new BpfException(Errno.EINVAL, "ctx_in: rx_queue_index without ingress_ifindex");
            if (ingress != 0 && ingress != LOOPBACK_IFINDEX) throw new BpfException(Errno.ENODEV, "ctx_in: no device with ifindex " + ingress);
            if (ingress != 0 && rxQueue != 0) throw new BpfException(Errno.EINVAL, "ctx_in: rx_queue_index " + rxQueue + " >= 1 queue of lo");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment frame = arena.allocate(PAGE_SIZE, 64);
            MemorySegment xdp = arena.allocate(XdpBuff.SIZE, 8);
            long hard = frame.address();
            long meta = hard + headroom;
            MemorySegment.copy(r.dataIn(), 0, frame, ValueLayout.JAVA_BYTE, headroom, size);
            xdp.set(ValueLayout.JAVA_LONG, XdpBuff.DATA_HARD_START, hard);
            xdp.set(ValueLayout.JAVA_LONG, XdpBuff.DATA_META, meta);
            xdp.set(ValueLayout.JAVA_LONG, XdpBuff.DATA, meta + metalen);
            xdp.set(ValueLayout.JAVA_LONG, XdpBuff.DATA_END, meta + size);
            xdp.set(ValueLayout.JAVA_INT, XdpBuff.INGRESS_IFINDEX, ingress);
            xdp.set(ValueLayout.JAVA_INT, XdpBuff.RX_QUEUE_INDEX, rxQueue);
            xdp.set(ValueLayout.JAVA_INT, XdpBuff.FRAME_SZ, PAGE_SIZE);
            // The whole frame is the packet's (adjust_head/tail move within it); xdp_buff is read-only to the program.
            List<ExecutionEngine.Region> regions = List.of(new ExecutionEngine.Region(frame, true),
                    new ExecutionEngine.Region(xdp, false));
            PacketHelpers.clearRedirect();
            Timed t = loop(exe, xdp.address(), 0, regions, repeat(r));
            long dataMeta = xdp.get(ValueLayout.JAVA_LONG, XdpBuff.DATA_META);
            long data = xdp.get(ValueLayout.JAVA_LONG, XdpBuff.DATA);
            long dataEnd = xdp.get(ValueLayout.JAVA_LONG, XdpBuff.DATA_END);
            int outSize = (int) (dataEnd - dataMeta);
            byte[] ctxOut = null;
            Errno ctxError = null;
            if (ctx != null && r.ctxSizeOut() > 0) {
                // xdp_convert_buff_to_md, then bpf_ctx_finish
                byte[] md = ctx.clone();
                putU32(md, XdpMd.DATA, (int) (data - dataMeta));
                putU32(md, XdpMd.DATA_META, 0);
                putU32(md, XdpMd.DATA_END, outSize);
                int copy = Math.min(XdpMd.SIZE, r.ctxSizeOut());
                if (copy < XdpMd.SIZE) ctxError = Errno.ENOSPC;
                ctxOut = Arrays.copyOf(md, copy);
            }
            return finish(t, frame.asSlice(dataMeta - hard), outSize, r, ctxOut, ctxError);
        }
    }

    // ---- skb: bpf_prog_test_run_skb ----

    private static boolean rangeIsZero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) if (b[i] != 0) return false;
        return true;
    }

    private TestRun.Result skb(ExecutionEngine.Executable exe, TestRun.Request r, boolean l2) throws BpfException {
        byte[] ctx = ctxInit(r.ctxIn() == null && r.ctxSizeOut() > 0 ? new byte[SkBuff.SIZE] : r.ctxIn(), SkBuff.SIZE);
        int size = r.dataIn().length;
        int headroom = NET_SKB_PAD;
        if (size < ETH_HLEN || size > PAGE_SIZE - headroom - TAILROOM) {
            throw new BpfException(Errno.EINVAL, "data_in: " + size + " bytes, must be " + ETH_HLEN + ".." + (PAGE_SIZE - headroom - TAILROOM));
        }
        if (ctx != null) {
            // convert___skb_to_skb: only mark, priority, ingress_ifindex, ifindex, cb, tstamp, wire_len, gso_segs, gso_size, hwtstamp
            if (!rangeIsZero(ctx, 0, SkBuff.MARK) || !rangeIsZero(ctx, SkBuff.MARK + 4, SkBuff.PRIORITY)
                    || !rangeIsZero(ctx, SkBuff.IFINDEX + 4, SkBuff.CB) || !rangeIsZero(ctx, SkBuff.CB + 20, SkBuff.TSTAMP)
                    || !rangeIsZero(ctx, SkBuff.GSO_SEGS + 4, SkBuff.GSO_SIZE) || !rangeIsZero(ctx, SkBuff.GSO_SIZE + 4, SkBuff.HWTSTAMP)) {
                throw new BpfException(Errno.EINVAL, "ctx_in: __sk_buff may only set mark, priority, ingress_ifindex, ifindex, cb,"
                        + " tstamp, wire_len, gso_segs, gso_size and hwtstamp");
            }
            int ifindex = u32(ctx, SkBuff.IFINDEX);
            if (Integer.compareUnsigned(ifindex, 1) > 0) throw new BpfException(Errno.ENODEV, "ctx_in: no device with ifindex " + ifindex);
            int wire = u32(ctx, SkBuff.WIRE_LEN);
            if (wire != 0 && (wire < size || wire > 65536)) throw new BpfException(Errno.EINVAL, "ctx_in: wire_len " + wire + " is outside " + size + "..65536");
            if (Integer.compareUnsigned(u32(ctx, SkBuff.GSO_SEGS), 65535) > 0) throw new BpfException(Errno.EINVAL, "ctx_in: gso_segs above GSO_MAX_SEGS");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(PAGE_SIZE, 64);
            MemorySegment skb = arena.allocate(SkBuffK.SIZE, 8);
            MemorySegment.copy(r.dataIn(), 0, buf, ValueLayout.JAVA_BYTE, headroom, size);
            long head = buf.address();
            long mac = head + headroom;
            // eth_type_trans: protocol from the header, pkt_type from the destination (lo's address is all zeros)
            short proto = buf.get(ValueLayout.JAVA_SHORT_UNALIGNED, headroom + 12);
            // Linux 6.18's skb test_run refuses a packet whose EtherType announces IPv4 or IPv6 but
            // that cannot hold that header (observed with kernel-ref's corpus differential test).
            int etherType = Short.toUnsignedInt(Short.reverseBytes(proto));
            if (etherType == 0x0800 && size < ETH_HLEN + 20 || etherType == 0x86dd && size < ETH_HLEN + 40) {
                throw new BpfException(Errno.EINVAL, "data_in: EtherType 0x" + Integer.toHexString(etherType) + " but "
                        + (size - ETH_HLEN) + " bytes after the Ethernet header, fewer than its "
                        + (etherType == 0x0800 ? "IPv4 (20)" : "IPv6 (40)") + " header needs");
            }
            int pktType;
            byte d0 = buf.get(ValueLayout.JAVA_BYTE, headroom);
            boolean broadcast = true, zero = true;
            for (int i = 0; i < 6; i++) {
                byte b = buf.get(ValueLayout.JAVA_BYTE, headroom + i);
                broadcast &= b == (byte) 0xff;
                zero &= b == 0;
            }
            pktType = broadcast ? 1 : (d0 & 1) != 0 ? 2 : zero ? 0 : 3; // PACKET_BROADCAST, MULTICAST, HOST, OTHERHOST
            long data = l2 ? mac : mac + ETH_HLEN;
            long end = mac + size;
            skb.set(ValueLayout.JAVA_INT, SkBuff.LEN, (int) (end - data));
            skb.set(ValueLayout.JAVA_INT, SkBuff.PKT_TYPE, pktType);
            skb.set(ValueLayout.JAVA_INT, SkBuff.PROTOCOL, proto & 0xffff);
            skb.set(ValueLayout.JAVA_INT, SkBuff.IFINDEX, LOOPBACK_IFINDEX);
            skb.set(ValueLayout.JAVA_INT, SkBuff.WIRE_LEN, (int) (end - data));
            if (ctx != null) {
                skb.set(ValueLayout.JAVA_INT, SkBuff.MARK, u32(ctx, SkBuff.MARK));
                skb.set(ValueLayout.JAVA_INT, SkBuff.PRIORITY, u32(ctx, SkBuff.PRIORITY));
                skb.set(ValueLayout.JAVA_INT, SkBuff.INGRESS_IFINDEX, u32(ctx, SkBuff.INGRESS_IFINDEX));
                MemorySegment.copy(ctx, SkBuff.CB, skb, ValueLayout.JAVA_BYTE, SkBuff.CB, 20);
                MemorySegment.copy(ctx, SkBuff.TSTAMP, skb, ValueLayout.JAVA_BYTE, SkBuff.TSTAMP, 8);
                if (u32(ctx, SkBuff.WIRE_LEN) != 0) skb.set(ValueLayout.JAVA_INT, SkBuff.WIRE_LEN, u32(ctx, SkBuff.WIRE_LEN));
                skb.set(ValueLayout.JAVA_INT, SkBuff.GSO_SEGS, u32(ctx, SkBuff.GSO_SEGS));
                skb.set(ValueLayout.JAVA_INT, SkBuff.GSO_SIZE, u32(ctx, SkBuff.GSO_SIZE));
                MemorySegment.copy(ctx, SkBuff.HWTSTAMP, skb, ValueLayout.JAVA_BYTE, SkBuff.HWTSTAMP, 8);
            }
            skb.set(ValueLayout.JAVA_LONG, SkBuffK.DATA, data);
            skb.set(ValueLayout.JAVA_LONG, SkBuffK.DATA_END, end);
            skb.set(ValueLayout.JAVA_LONG, SkBuffK.DATA_META, data);
            skb.set(ValueLayout.JAVA_LONG, SkBuffK.HEAD, head);
            skb.set(ValueLayout.JAVA_LONG, SkBuffK.END, head + PAGE_SIZE - TAILROOM);
            skb.set(ValueLayout.JAVA_LONG, SkBuffK.MAC_HEADER, mac);
            skb.set(ValueLayout.JAVA_LONG, SkBuffK.NETWORK_HEADER, mac + ETH_HLEN);
            // The __sk_buff part is writable where conversion allowed a store; the pointers after it are not.
            List<ExecutionEngine.Region> regions = List.of(
                    new ExecutionEngine.Region(buf.asSlice(headroom, size), true),
                    new ExecutionEngine.Region(skb.asSlice(0, SkBuff.SIZE), true),
                    new ExecutionEngine.Region(skb, false));
            PacketHelpers.clearRedirect();
            Timed t = loop(exe, skb.address(), 0, regions, repeat(r));
            long outData = skb.get(ValueLayout.JAVA_LONG, SkBuffK.DATA);
            long outEnd = skb.get(ValueLayout.JAVA_LONG, SkBuffK.DATA_END);
            if (!l2) {
                // the kernel pushes the link-layer header back, zeroed
                outData -= ETH_HLEN;
                MemorySegment.NULL.reinterpret(Long.MAX_VALUE).asSlice(outData, ETH_HLEN).fill((byte) 0);
            }
            int outSize = (int) (outEnd - outData);
            byte[] ctxOut = null;
            Errno ctxError = null;
            if (ctx != null && r.ctxSizeOut() > 0) {
                // convert_skb_to___skb
                byte[] md = ctx.clone();
                putU32(md, SkBuff.MARK, skb.get(ValueLayout.JAVA_INT, SkBuff.MARK));
                putU32(md, SkBuff.PRIORITY, skb.get(ValueLayout.JAVA_INT, SkBuff.PRIORITY));
                putU32(md, SkBuff.INGRESS_IFINDEX, skb.get(ValueLayout.JAVA_INT, SkBuff.INGRESS_IFINDEX));
                putU32(md, SkBuff.IFINDEX, LOOPBACK_IFINDEX);
                MemorySegment.copy(skb, ValueLayout.JAVA_BYTE, SkBuff.CB, md, SkBuff.CB, 20);
                MemorySegment.copy(skb, ValueLayout.JAVA_BYTE, SkBuff.TSTAMP, md, SkBuff.TSTAMP, 8);
                putU32(md, SkBuff.WIRE_LEN, skb.get(ValueLayout.JAVA_INT, SkBuff.WIRE_LEN));
                putU32(md, SkBuff.GSO_SEGS, skb.get(ValueLayout.JAVA_INT, SkBuff.GSO_SEGS));
                putU32(md, SkBuff.GSO_SIZE, skb.get(ValueLayout.JAVA_INT, SkBuff.GSO_SIZE));
                MemorySegment.copy(skb, ValueLayout.JAVA_BYTE, SkBuff.HWTSTAMP, md, SkBuff.HWTSTAMP, 8);
                int copy = Math.min(SkBuff.SIZE, r.ctxSizeOut());
                if (copy < SkBuff.SIZE) ctxError = Errno.ENOSPC;
                ctxOut = Arrays.copyOf(md, copy);
            }
            return finish(t, buf.asSlice(outData - head), outSize, r, ctxOut, ctxError);
        }
    }

    // ---- flat memory: r1 = memory, r2 = length (run through the interpreter's own entry) ----

    private TestRun.Result flat(ExecutionEngine.Executable exe, TestRun.Request r) throws BpfException {
        if (r.ctxIn() != null) throw new BpfException(Errno.EINVAL, "ctx_in: flat programs take no context");
        int size = r.dataIn().length;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mem = arena.allocate(Math.max(size, 1), 8);
            MemorySegment.copy(r.dataIn(), 0, mem, ValueLayout.JAVA_BYTE, 0, size);
            List<ExecutionEngine.Region> regions = size == 0 ? List.of() : List.of(new ExecutionEngine.Region(mem.asSlice(0, size), true));
            Timed t = loop(exe, size == 0 ? 0 : mem.address(), size, regions, repeat(r));
            return finish(t, mem, size, r, null, null);
        }
    }
}
