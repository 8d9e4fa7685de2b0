package org.obpf.core.prelink;

import org.obpf.api.prog.SkBuff;

/**
 * OBPF's kernel-side context structures: what {@code r1} really points to after context-access
 * conversion, laid out in native memory by whoever runs the program ({@code test_run}). Like the
 * kernel's {@code struct xdp_buff} and {@code struct sk_buff}, they hold 64-bit packet pointers
 * where the UAPI structs have 32-bit placeholders.
 */
public final class KernelCtx {
    private KernelCtx() {}

    /** {@code struct xdp_buff} as OBPF lays it out. */
    public static final class XdpBuff {
        private XdpBuff() {}
        public static final int DATA = 0;
        public static final int DATA_END = 8;
        public static final int DATA_META = 16;
        public static final int DATA_HARD_START = 24;
        public static final int INGRESS_IFINDEX = 32;
        public static final int RX_QUEUE_INDEX = 36;
        public static final int EGRESS_IFINDEX = 40;
        /** Bytes from data_hard_start to the end of the buffer (the kernel's {@code frame_sz}). */
        public static final int FRAME_SZ = 44;
        public static final int SIZE = 48;
    }

    /**
     * {@code struct sk_buff} as OBPF lays it out: the {@code __sk_buff} fields at their UAPI
     * offsets (so that those accesses convert to themselves), then the real pointers.
     */
    public static final class SkBuffK {
        private SkBuffK() {}
        public static final int DATA = SkBuff.SIZE;
        public static final int DATA_END = SkBuff.SIZE + 8;
        public static final int DATA_META = SkBuff.SIZE + 16;
        /** Start of the buffer ({@code skb->head}). */
        public static final int HEAD = SkBuff.SIZE + 24;
        /** End of the buffer ({@code skb->end}). */
        public static final int END = SkBuff.SIZE + 32;
        /** Whether {@code hash} is valid ({@code skb->l4_hash || skb->sw_hash}). */
        public static final int HASH_VALID = SkBuff.SIZE + 40;
        /** Address of the link-layer header ({@code skb_mac_header}). */
        public static final int MAC_HEADER = SkBuff.SIZE + 48;
        /** Address of the network header ({@code skb_network_header}). */
        public static final int NETWORK_HEADER = SkBuff.SIZE + 56;
        public static final int SIZE = SkBuff.SIZE + 64;
    }
}
