package org.obpf.core.verifier;

/** The kernel's {@code enum bpf_reg_type} (base types; "or null" and "ringbuf" are flags of {@link Reg}). */
public enum RegType {
    NOT_INIT("?"),
    SCALAR_VALUE("scalar"),
    PTR_TO_CTX("ctx"),
    CONST_PTR_TO_MAP("map_ptr"),
    PTR_TO_MAP_VALUE("map_value"),
    PTR_TO_MAP_KEY("map_key"),
    PTR_TO_STACK("fp"),
    PTR_TO_PACKET_META("pkt_meta"),
    PTR_TO_PACKET("pkt"),
    PTR_TO_PACKET_END("pkt_end"),
    PTR_TO_MEM("mem"),
    PTR_TO_FUNC("func");

    private final String text;

    RegType(String text) {
        this.text = text;
    }

    /** reg_type_str's base name. */
    public String text() {
        return text;
    }

    public boolean isPointer() {
        return this != NOT_INIT && this != SCALAR_VALUE;
    }

    public boolean isPacket() {
        return this == PTR_TO_PACKET || this == PTR_TO_PACKET_META;
    }
}
