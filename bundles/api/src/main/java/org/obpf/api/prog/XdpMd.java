package org.obpf.api.prog;

/**
 * {@code struct xdp_md} from {@code include/uapi/linux/bpf.h}: the context an XDP program sees.
 * Every field is a {@code __u32} read with a 4-byte load; {@code data}, {@code data_end} and
 * {@code data_meta} read as packet pointers (the loads are rewritten to load the real 64-bit
 * pointers, as the kernel's {@code xdp_convert_ctx_access} does).
 */
public final class XdpMd {
    private XdpMd() {}

    public static final int DATA = 0;
    public static final int DATA_END = 4;
    public static final int DATA_META = 8;
    public static final int INGRESS_IFINDEX = 12;
    public static final int RX_QUEUE_INDEX = 16;
    public static final int EGRESS_IFINDEX = 20;
    /** {@code sizeof(struct xdp_md)}. */
    public static final int SIZE = 24;

    /** XDP actions ({@code enum xdp_action}). */
    public static final int XDP_ABORTED = 0, XDP_DROP = 1, XDP_PASS = 2, XDP_TX = 3, XDP_REDIRECT = 4;

    /** {@code XDP_PACKET_HEADROOM}: room before the packet for {@code bpf_xdp_adjust_head}. */
    public static final int XDP_PACKET_HEADROOM = 256;
}
