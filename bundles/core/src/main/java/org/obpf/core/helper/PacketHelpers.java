package org.obpf.core.helper;

import static org.obpf.core.helper.MapHelpers.helper;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import org.obpf.api.Errno;
import org.obpf.api.helper.Helper;
import org.obpf.api.helper.HelperContext;
import org.obpf.api.prog.ProgramType;
import org.obpf.api.prog.SkBuff;
import org.obpf.api.prog.XdpMd;
import org.obpf.api.helper.HelperException;
import org.obpf.core.map.DevMap;
import org.obpf.core.prelink.KernelCtx.SkBuffK;
import org.obpf.core.prelink.KernelCtx.XdpBuff;

/**
 * Packet helpers of {@code net/core/filter.c}, over OBPF's kernel-side contexts
 * ({@link org.obpf.core.prelink.KernelCtx}): r1 is the context pointer the program got. Like the
 * kernel, XDP and skb programs get different {@code bpf_redirect}s under the same number, so the
 * set depends on the program type ({@link #forType}).
 */
public final class PacketHelpers {
    private PacketHelpers() {}

    public static final int BPF_FUNC_skb_store_bytes = 9;
    public static final int BPF_FUNC_l3_csum_replace = 10;
    public static final int BPF_FUNC_l4_csum_replace = 11;
    public static final int BPF_FUNC_redirect = 23;
    public static final int BPF_FUNC_skb_load_bytes = 26;
    public static final int BPF_FUNC_csum_diff = 28;
    public static final int BPF_FUNC_get_hash_recalc = 34;
    public static final int BPF_FUNC_xdp_adjust_head = 44;
    public static final int BPF_FUNC_xdp_adjust_meta = 54;
    public static final int BPF_FUNC_xdp_adjust_tail = 65;
    public static final int BPF_FUNC_redirect_map = 51;

    /** {@code bpf_redirect_map} flags beyond the fallback action in the low bits. */
    public static final long BPF_F_BROADCAST = 1 << 3, BPF_F_EXCLUDE_INGRESS = 1 << 4;

    /** {@code sizeof(struct xdp_frame)} on x86-64: kept free at the start of an XDP buffer. */
    public static final int XDP_FRAME_SIZE = 40;
    /** {@code SKB_DATA_ALIGN(sizeof(struct skb_shared_info))} on x86-64: kept free at the end. */
    public static final int SKB_SHARED_INFO_SIZE = 320;
    public static final int ETH_HLEN = 14;

    public static final long BPF_F_RECOMPUTE_CSUM = 1, BPF_F_INVALIDATE_HASH = 2;
    public static final long BPF_F_HDR_FIELD_MASK = 0xf, BPF_F_PSEUDO_HDR = 0x10, BPF_F_MARK_MANGLED_0 = 0x20,
            BPF_F_MARK_ENFORCE = 0x40, BPF_F_IPV6 = 0x80;
    public static final long BPF_F_INGRESS = 1;

    /**
     * Where the last {@code bpf_redirect}/{@code bpf_redirect_map} on this thread asked to send the
     * packet (the kernel's per-CPU {@code bpf_redirect_info}); {@code map} is the devmap's id, or 0.
     */
    public record Redirect(int ifindex, long flags, int map) {
        public Redirect(int ifindex, long flags) {
            this(ifindex, flags, 0);
        }
    }

    private static final ThreadLocal<Redirect> REDIRECT = new ThreadLocal<>();

    /** The last redirect on this thread, or null. */
    public static Redirect lastRedirect() {
        return REDIRECT.get();
    }

    public static void clearRedirect() {
        REDIRECT.remove();
    }

    /** The packet helpers a program of {@code type} may call. */
    public static List<Helper> forType(ProgramType type) {
        Helper csumDiff = helper(BPF_FUNC_csum_diff, "csum_diff", PacketHelpers::csumDiff);
        return switch (type) {
            case XDP -> List.of(csumDiff,
                    helper(BPF_FUNC_redirect, "redirect", (c, ifindex, flags, r3, r4, r5) -> {
                        if (flags != 0) return XdpMd.XDP_ABORTED;
                        REDIRECT.set(new Redirect((int) ifindex, flags));
                        return XdpMd.XDP_REDIRECT;
                    }),
                    helper(BPF_FUNC_xdp_adjust_head, "xdp_adjust_head", PacketHelpers::xdpAdjustHead),
                    helper(BPF_FUNC_xdp_adjust_meta, "xdp_adjust_meta", PacketHelpers::xdpAdjustMeta),
                    helper(BPF_FUNC_xdp_adjust_tail, "xdp_adjust_tail", PacketHelpers::xdpAdjustTail),
                    helper(BPF_FUNC_redirect_map, "redirect_map", PacketHelpers::xdpRedirectMap),
                    helper(MapHelpers.BPF_FUNC_perf_event_output, "perf_event_output", (c, ctx, map, flags, data, size) -> {
                        MemorySegment x = ctx(c, ctx, XdpBuff.SIZE);
                        return packetEventOutput(c, map, flags, data, size, get64(x, XdpBuff.DATA), get64(x, XdpBuff.DATA_END));
                    }));
            case SCHED_CLS, SCHED_ACT -> List.of(csumDiff,
                    helper(BPF_FUNC_redirect, "redirect", (c, ifindex, flags, r3, r4, r5) -> {
                        if ((flags & ~BPF_F_INGRESS) != 0) return SkBuff.TC_ACT_SHOT;
                        REDIRECT.set(new Redirect((int) ifindex, flags));
                        return SkBuff.TC_ACT_REDIRECT;
                    }),
                    helper(BPF_FUNC_skb_load_bytes, "skb_load_bytes", PacketHelpers::skbLoadBytes),
                    helper(BPF_FUNC_skb_store_bytes, "skb_store_bytes", PacketHelpers::skbStoreBytes),
                    helper(BPF_FUNC_l3_csum_replace, "l3_csum_replace", (c, skb, off, from, to, flags) -> csumReplace(c, skb, off, from, to, flags, false)),
                    helper(BPF_FUNC_l4_csum_replace, "l4_csum_replace", (c, skb, off, from, to, flags) -> csumReplace(c, skb, off, from, to, flags, true)),
                    helper(BPF_FUNC_get_hash_recalc, "get_hash_recalc", PacketHelpers::getHashRecalc),
                    helper(MapHelpers.BPF_FUNC_perf_event_output, "perf_event_output", (c, ctx, map, flags, data, size) -> {
                        MemorySegment s = skb(c, ctx);
                        return packetEventOutput(c, map, flags, data, size, get64(s, SkBuffK.DATA), get64(s, SkBuffK.DATA_END));
                    }));
            case SOCKET_FILTER -> List.of(
                    helper(BPF_FUNC_skb_load_bytes, "skb_load_bytes", PacketHelpers::skbLoadBytes));
            default -> List.of();
        };
    }

    private static final MemorySegment MEM = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    /** The context at {@code ctx}, after checking the run may read it (it is the run's context region). */
    private static MemorySegment ctx(HelperContext c, long ctx, int size) {
        c.memory(ctx, size, false);
        return MEM.asSlice(ctx, size);
    }

    private static long get64(MemorySegment s, int off) { return s.get(ValueLayout.JAVA_LONG, off); }
    private static void set64(MemorySegment s, int off, long v) { s.set(ValueLayout.JAVA_LONG, off, v); }

    // ---- XDP ----

    /** bpf_xdp_adjust_head: moves data by {@code offset}, keeping the metadata just before it. */
    private static long xdpAdjustHead(HelperContext c, long r1, long offset, long r3, long r4, long r5) {
        MemorySegment x = ctx(c, r1, XdpBuff.SIZE);
        long data = get64(x, XdpBuff.DATA), meta = get64(x, XdpBuff.DATA_META), end = get64(x, XdpBuff.DATA_END);
        long hard = get64(x, XdpBuff.DATA_HARD_START);
        long metalen = data - meta;
        long dataStart = hard + XDP_FRAME_SIZE + metalen;
        long newData = data + (int) offset;
        if (newData < dataStart || newData > end - ETH_HLEN) return -Errno.EINVAL.value();
        if (metalen != 0) {
            MemorySegment.copy(c.memory(meta, metalen, true), 0, c.memory(meta + (int) offset, metalen, true), 0, metalen);
        }
        set64(x, XdpBuff.DATA_META, meta + (int) offset);
        set64(x, XdpBuff.DATA, newData);
        return 0;
    }

    /** bpf_xdp_adjust_meta: metadata of at most 32 bytes, a multiple of 4, between the frame header and data. */
    private static long xdpAdjustMeta(HelperContext c, long r1, long offset, long r3, long r4, long r5) {
        MemorySegment x = ctx(c, r1, XdpBuff.SIZE);
        long data = get64(x, XdpBuff.DATA), hard = get64(x, XdpBuff.DATA_HARD_START);
        long meta = get64(x, XdpBuff.DATA_META) + (int) offset;
        long metalen = data - meta;
        if (meta < hard + XDP_FRAME_SIZE || meta > data) return -Errno.EINVAL.value();
        if ((metalen & 3) != 0 || metalen > 32) return -Errno.EACCES.value();
        set64(x, XdpBuff.DATA_META, meta);
        return 0;
    }

    /** bpf_xdp_adjust_tail: grows (zero-filled) or shrinks the packet's end, keeping ETH_HLEN and the tailroom. */
    private static long xdpAdjustTail(HelperContext c, long r1, long offset, long r3, long r4, long r5) {
        MemorySegment x = ctx(c, r1, XdpBuff.SIZE);
        long data = get64(x, XdpBuff.DATA), end = get64(x, XdpBuff.DATA_END), hard = get64(x, XdpBuff.DATA_HARD_START);
        long hardEnd = hard + x.get(ValueLayout.JAVA_INT, XdpBuff.FRAME_SZ) - SKB_SHARED_INFO_SIZE;
        long newEnd = end + (int) offset;
        if (newEnd > hardEnd || newEnd < data + ETH_HLEN) return -Errno.EINVAL.value();
        if ((int) offset > 0) c.memory(end, (int) offset, true).fill((byte) 0);
        set64(x, XdpBuff.DATA_END, newEnd);
        return 0;
    }

    /** bpf_redirect_map on a devmap: XDP_REDIRECT, or the action in the flags' low bits when the slot is empty. */
    private static long xdpRedirectMap(HelperContext c, long map, long key, long flags, long r4, long r5) {
        long actionMask = XdpMd.XDP_ABORTED | XdpMd.XDP_DROP | XdpMd.XDP_PASS | XdpMd.XDP_TX;
        if ((flags & ~(actionMask | BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS)) != 0) return XdpMd.XDP_ABORTED;
        var m = MapHelpers.map(c, map);
        if (!(m instanceof DevMap dev)) throw new HelperException(m + " is not a devmap");
        if ((flags & BPF_F_BROADCAST) != 0) {
            REDIRECT.set(new Redirect(0, flags, dev.id()));
            return XdpMd.XDP_REDIRECT;
        }
        int ifindex = dev.ifindex((int) key);
        if (ifindex == 0) return flags & actionMask;
        REDIRECT.set(new Redirect(ifindex, flags, dev.id()));
        return XdpMd.XDP_REDIRECT;
    }

    /** bpf_skb_event_output / bpf_xdp_event_output: the sample plus (flags >> 32) packet bytes. */
    private static long packetEventOutput(HelperContext c, long map, long flags, long data, long size, long pktData, long pktEnd) {
        if ((flags & ~(MapHelpers.BPF_F_CTXLEN_MASK | MapHelpers.BPF_F_INDEX_MASK)) != 0) return -Errno.EINVAL.value();
        long ctxLen = (flags & MapHelpers.BPF_F_CTXLEN_MASK) >>> 32;
        if (ctxLen > pktEnd - pktData) return -Errno.EFAULT.value();
        MemorySegment pkt = ctxLen == 0 ? null : c.memory(pktData, ctxLen, false);
        return MapHelpers.perfEventOutput(c, map, flags & MapHelpers.BPF_F_INDEX_MASK, c.memory(data, size, false), pkt);
    }

    /** {@code SKF_NET_OFF} and {@code SKF_LL_OFF}: negative offsets of classic BPF, relative to the network and link-layer headers. */
    public static final int SKF_NET_OFF = -0x100000, SKF_LL_OFF = -0x200000;

    /**
     * The kernel's {@code bpf_skb_load_helper_{8,16,32}_no_cache}: what a legacy {@code BPF_LD_ABS}/
     * {@code BPF_LD_IND} turns into ({@code bpf_gen_ld_abs}). r1 = skb, r2 = offset (signed 32-bit);
     * the bytes in network order as a host number, or -EFAULT. Not callable by helper number.
     */
    public static Helper skbLoadHelper(int size) {
        return helper(-size * 8, "skb_load_helper_" + size * 8 + "_no_cache", (c, r1, offset, r3, r4, r5) -> {
            MemorySegment s = skb(c, r1);
            int k = (int) offset;
            long base;
            if (k >= 0) {
                base = get64(s, SkBuffK.DATA);
                if ((long) k + size > get64(s, SkBuffK.DATA_END) - base) return -Errno.EFAULT.value();
            } else if (k >= SKF_NET_OFF) {
                base = get64(s, SkBuffK.NETWORK_HEADER);
                k -= SKF_NET_OFF;
            } else if (k >= SKF_LL_OFF) {
                base = get64(s, SkBuffK.MAC_HEADER);
                k -= SKF_LL_OFF;
            } else {
                return -Errno.EFAULT.value();
            }
            if (k < 0 || base + k < get64(s, SkBuffK.HEAD) || base + k + size > get64(s, SkBuffK.DATA_END)) return -Errno.EFAULT.value();
            MemorySegment p = c.memory(base + k, size, false);
            return switch (size) {
                case 1 -> p.get(ValueLayout.JAVA_BYTE, 0) & 0xffL;
                case 2 -> Short.reverseBytes(p.get(ValueLayout.JAVA_SHORT_UNALIGNED, 0)) & 0xffffL;
                default -> Integer.reverseBytes(p.get(ValueLayout.JAVA_INT_UNALIGNED, 0)) & 0xffffffffL;
            };
        });
    }

    // ---- skb ----

    private static MemorySegment skb(HelperContext c, long r1) {
        return ctx(c, r1, SkBuffK.SIZE);
    }

    /** bpf_skb_load_bytes: copies from the packet at data + offset; -EFAULT and a zeroed buffer when out of range. */
    private static long skbLoadBytes(HelperContext c, long r1, long offset, long to, long len, long r5) {
        MemorySegment s = skb(c, r1);
        long n = len & 0xffffffffL;
        MemorySegment dst = c.memory(to, n, true);
        long data = get64(s, SkBuffK.DATA), end = get64(s, SkBuffK.DATA_END);
        long off = offset & 0xffffffffL;
        if (off > 0xffff || off + n > end - data) {
            dst.fill((byte) 0);
            return -Errno.EFAULT.value();
        }
        MemorySegment.copy(c.memory(data + off, n, false), 0, dst, 0, n);
        return 0;
    }

    /** bpf_skb_store_bytes: copies into the packet; BPF_F_INVALIDATE_HASH clears the hash. */
    private static long skbStoreBytes(HelperContext c, long r1, long offset, long from, long len, long flags) {
        if ((flags & ~(BPF_F_RECOMPUTE_CSUM | BPF_F_INVALIDATE_HASH)) != 0) return -Errno.EINVAL.value();
        MemorySegment s = skb(c, r1);
        long n = len & 0xffffffffL;
        long off = offset & 0xffffffffL;
        if (off > Integer.MAX_VALUE) return -Errno.EFAULT.value();
        long data = get64(s, SkBuffK.DATA), end = get64(s, SkBuffK.DATA_END);
        if (off + n > end - data) return -Errno.EFAULT.value();
        MemorySegment.copy(c.memory(from, n, false), 0, c.memory(data + off, n, true), 0, n);
        if ((flags & BPF_F_INVALIDATE_HASH) != 0) {
            s.set(ValueLayout.JAVA_INT, SkBuff.HASH, 0);
            s.set(ValueLayout.JAVA_INT, SkBuffK.HASH_VALID, 0);
        }
        return 0;
    }

    /** The 32-bit one's complement sum of {@code seed} and the little-endian words (x86-64's csum_partial on whole words). */
    static long csumAdd(long a, long b) {
        long s = (a & 0xffffffffL) + (b & 0xffffffffL);
        return (s & 0xffffffffL) + (s >>> 32);
    }

    /** csum_fold: the 16-bit checksum of a 32-bit sum, complemented. */
    static int csumFold(long sum) {
        long s = (sum & 0xffff) + ((sum >>> 16) & 0xffff);
        s = (s & 0xffff) + (s >>> 16);
        return (int) (~s & 0xffff);
    }

    /** bpf_csum_diff: the sum of ~from's words and to's words, seeded; sizes multiples of 4, together at most 512. */
    private static long csumDiff(HelperContext c, long from, long fromSize, long to, long toSize, long seed) {
        long fs = fromSize & 0xffffffffL, ts = toSize & 0xffffffffL;
        if (((fs | ts) & 3) != 0 || fs + ts > 512) return -Errno.EINVAL.value();
        long sum = seed & 0xffffffffL;
        if (fs > 0) {
            MemorySegment f = c.memory(from, fs, false);
            for (long i = 0; i < fs; i += 4) sum = csumAdd(sum, ~f.get(ValueLayout.JAVA_INT_UNALIGNED, i));
        }
        if (ts > 0) {
            MemorySegment t = c.memory(to, ts, false);
            for (long i = 0; i < ts; i += 4) sum = csumAdd(sum, t.get(ValueLayout.JAVA_INT_UNALIGNED, i));
        }
        return sum & 0xffffffffL;
    }

    /** bpf_l3_csum_replace / bpf_l4_csum_replace for a packet without checksum offload (CHECKSUM_NONE). */
    private static long csumReplace(HelperContext c, long r1, long offset, long from, long to, long flags, boolean l4) {
        long allowed = l4 ? BPF_F_MARK_MANGLED_0 | BPF_F_MARK_ENFORCE | BPF_F_PSEUDO_HDR | BPF_F_HDR_FIELD_MASK | BPF_F_IPV6
                : BPF_F_HDR_FIELD_MASK;
        if ((flags & ~allowed) != 0) return -Errno.EINVAL.value();
        long off = offset & 0xffffffffL;
        if (off > 0xffff || (off & 1) != 0) return -Errno.EFAULT.value();
        MemorySegment s = skb(c, r1);
        long data = get64(s, SkBuffK.DATA), end = get64(s, SkBuffK.DATA_END);
        if (off + 2 > end - data) return -Errno.EFAULT.value();
        MemorySegment ptr = c.memory(data + off, 2, true);
        int sum = ptr.get(ValueLayout.JAVA_SHORT_UNALIGNED, 0) & 0xffff;
        boolean mmzero = (flags & BPF_F_MARK_MANGLED_0) != 0;
        if (l4 && mmzero && (flags & BPF_F_MARK_ENFORCE) == 0 && sum == 0) return 0;
        long unfolded = ~sum & 0xffff;
        int result;
        switch ((int) (flags & BPF_F_HDR_FIELD_MASK)) {
            case 0 -> {
                if (from != 0) return -Errno.EINVAL.value();
                result = csumFold(csumAdd(to, unfolded)); // csum_replace_by_diff
            }
            case 2 -> {
                // csum_replace2 (RFC 1624): ~(~sum + ~old + new), 16-bit
                long s16 = unfolded + (~from & 0xffff) + (to & 0xffff);
                s16 = (s16 & 0xffff) + (s16 >>> 16);
                s16 = (s16 & 0xffff) + (s16 >>> 16);
                result = (int) (~s16 & 0xffff);
            }
            case 4 -> result = csumFold(csumAdd(csumAdd(unfolded, ~from), to)); // csum_replace4
            default -> {
                return -Errno.EINVAL.value();
            }
        }
        if (l4 && mmzero && result == 0) result = 0xffff; // CSUM_MANGLED_0
        ptr.set(ValueLayout.JAVA_SHORT_UNALIGNED, 0, (short) result);
        return 0;
    }

    /**
     * bpf_get_hash_recalc: {@code skb->hash}, computed when not valid from the flow's addresses,
     * protocol and ports (the kernel's flow dissector; its jhash seed is random per boot, so the
     * value is OBPF's own) and kept in the skb.
     */
    private static long getHashRecalc(HelperContext c, long r1, long r2, long r3, long r4, long r5) {
        MemorySegment s = skb(c, r1);
        if (s.get(ValueLayout.JAVA_INT, SkBuffK.HASH_VALID) != 0) return s.get(ValueLayout.JAVA_INT, SkBuff.HASH) & 0xffffffffL;
        long data = get64(s, SkBuffK.DATA), end = get64(s, SkBuffK.DATA_END);
        int h = flowHash(c.memory(data, Math.max(0, end - data), false), s.get(ValueLayout.JAVA_INT, SkBuff.PROTOCOL));
        s.set(ValueLayout.JAVA_INT, SkBuff.HASH, h);
        s.set(ValueLayout.JAVA_INT, SkBuffK.HASH_VALID, 1);
        return h & 0xffffffffL;
    }

    static int flowHash(MemorySegment pkt, int protocolBe) {
        int l3 = pkt.byteSize() >= ETH_HLEN ? ETH_HLEN : 0;
        int h = 0x9e3779b9;
        if (pkt.byteSize() >= l3 + 20 && (pkt.get(ValueLayout.JAVA_BYTE, l3) & 0xf0) == 0x40) {
            int ihl = (pkt.get(ValueLayout.JAVA_BYTE, l3) & 0xf) * 4;
            int proto = pkt.get(ValueLayout.JAVA_BYTE, l3 + 9) & 0xff;
            h = mix(h, pkt.get(ValueLayout.JAVA_INT_UNALIGNED, l3 + 12));
            h = mix(h, pkt.get(ValueLayout.JAVA_INT_UNALIGNED, l3 + 16));
            h = mix(h, proto);
            if ((proto == 6 || proto == 17) && pkt.byteSize() >= l3 + ihl + 4) h = mix(h, pkt.get(ValueLayout.JAVA_INT_UNALIGNED, l3 + ihl));
        } else {
            for (long i = 0; i + 4 <= pkt.byteSize() && i < 64; i += 4) h = mix(h, pkt.get(ValueLayout.JAVA_INT_UNALIGNED, i));
        }
        return h == 0 ? 1 : h; // 0 means "no hash" in the kernel
    }

    private static int mix(int h, int v) {
        h ^= v;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        return h ^ (h >>> 16);
    }
}
