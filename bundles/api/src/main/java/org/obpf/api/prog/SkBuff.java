package org.obpf.api.prog;

/**
 * {@code struct __sk_buff} from {@code include/uapi/linux/bpf.h}: the context of socket filter and
 * tc ({@code sched_cls}, {@code sched_act}) programs, with its UAPI offsets.
 */
public final class SkBuff {
    private SkBuff() {}

    public static final int LEN = 0;
    public static final int PKT_TYPE = 4;
    public static final int MARK = 8;
    public static final int QUEUE_MAPPING = 12;
    public static final int PROTOCOL = 16;
    public static final int VLAN_PRESENT = 20;
    public static final int VLAN_TCI = 24;
    public static final int VLAN_PROTO = 28;
    public static final int PRIORITY = 32;
    public static final int INGRESS_IFINDEX = 36;
    public static final int IFINDEX = 40;
    public static final int TC_INDEX = 44;
    /** {@code __u32 cb[5]}. */
    public static final int CB = 48;
    public static final int HASH = 68;
    public static final int TC_CLASSID = 72;
    public static final int DATA = 76;
    public static final int DATA_END = 80;
    public static final int NAPI_ID = 84;
    public static final int FAMILY = 88;
    public static final int REMOTE_IP4 = 92;
    public static final int LOCAL_IP4 = 96;
    /** {@code __u32 remote_ip6[4]}. */
    public static final int REMOTE_IP6 = 100;
    /** {@code __u32 local_ip6[4]}. */
    public static final int LOCAL_IP6 = 116;
    public static final int REMOTE_PORT = 132;
    public static final int LOCAL_PORT = 136;
    public static final int DATA_META = 140;
    /** {@code __bpf_md_ptr(struct bpf_flow_keys *, flow_keys)}. */
    public static final int FLOW_KEYS = 144;
    public static final int TSTAMP = 152;
    public static final int WIRE_LEN = 160;
    public static final int GSO_SEGS = 164;
    /** {@code __bpf_md_ptr(struct bpf_sock *, sk)}. */
    public static final int SK = 168;
    public static final int GSO_SIZE = 176;
    public static final int TSTAMP_TYPE = 180;
    public static final int HWTSTAMP = 184;
    /** {@code sizeof(struct __sk_buff)}. */
    public static final int SIZE = 192;

    /** tc actions ({@code TC_ACT_*}). */
    public static final int TC_ACT_UNSPEC = -1, TC_ACT_OK = 0, TC_ACT_SHOT = 2, TC_ACT_REDIRECT = 7;
    /** {@code ETH_HLEN}. */
    public static final int ETH_HLEN = 14;
}
