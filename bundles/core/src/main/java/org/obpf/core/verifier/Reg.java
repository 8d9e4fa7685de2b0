package org.obpf.core.verifier;

import java.util.List;
import org.obpf.api.map.MapSpec;

/**
 * One register's abstract value, the kernel's {@code struct bpf_reg_state}: a type, for pointers a
 * fixed offset {@code off} plus a variable part {@code s} (a {@link Scalar}; the whole value for
 * scalars), and the identities the verifier tracks: {@code id} (pointers that may be null together,
 * packet pointers with the same variable offset), {@code refObjId} (an acquired reference that must
 * be released), {@code precise} (see {@link #withPrecise}), {@code range} (bytes of packet checked against data_end), {@code map} (index into
 * the program's maps), {@code memSize} (size of a PTR_TO_MEM region), {@code frameNo} (the frame a
 * stack pointer points into). Immutable.
 */
public record Reg(RegType type, Scalar s, int off, int id, int refObjId, int range, int map, long memSize,
                  int frameNo, boolean maybeNull, boolean ringbuf, boolean precise) {

    public static final Reg NOT_INIT = new Reg(RegType.NOT_INIT, Scalar.UNKNOWN, 0, 0, 0, 0, -1, 0, 0, false, false, false);
    public static final Reg UNKNOWN = scalar(Scalar.UNKNOWN);

    public static Reg scalar(Scalar s) {
        return new Reg(RegType.SCALAR_VALUE, s, 0, 0, 0, 0, -1, 0, 0, false, false, false);
    }

    public static Reg known(long v) {
        return scalar(Scalar.constant(v));
    }

    /** A pointer at a known offset (mark_reg_known_zero + type). */
    public static Reg pointer(RegType type, int off) {
        return new Reg(type, Scalar.constant(0), off, 0, 0, 0, -1, 0, 0, false, false, false);
    }

    public static Reg stack(int frameNo) {
        return new Reg(RegType.PTR_TO_STACK, Scalar.constant(0), 0, 0, 0, 0, -1, 0, frameNo, false, false, false);
    }

    public boolean isScalar() {
        return type == RegType.SCALAR_VALUE;
    }

    public boolean isInit() {
        return type != RegType.NOT_INIT;
    }

    public boolean isPointer() {
        return type.isPointer();
    }

    public boolean isConst() {
        return isScalar() && s.isConst();
    }

    public Reg withScalar(Scalar v) {
        return new Reg(type, v, off, id, refObjId, range, map, memSize, frameNo, maybeNull, ringbuf, precise);
    }

    public Reg withOff(int o) {
        return new Reg(type, s, o, id, refObjId, range, map, memSize, frameNo, maybeNull, ringbuf, precise);
    }

    public Reg withId(int i) {
        return new Reg(type, s, off, i, refObjId, range, map, memSize, frameNo, maybeNull, ringbuf, precise);
    }

    public Reg withRange(int r) {
        return new Reg(type, s, off, id, refObjId, r, map, memSize, frameNo, maybeNull, ringbuf, precise);
    }

    public Reg withRef(int ref) {
        return new Reg(type, s, off, id, ref, range, map, memSize, frameNo, maybeNull, ringbuf, precise);
    }

    public Reg withMap(int m) {
        return new Reg(type, s, off, id, refObjId, range, m, memSize, frameNo, maybeNull, ringbuf, precise);
    }

    public Reg withMem(long size, boolean isRingbuf) {
        return new Reg(type, s, off, id, refObjId, range, map, size, frameNo, maybeNull, isRingbuf, precise);
    }

    public Reg withMaybeNull(boolean n) {
        return new Reg(type, s, off, id, refObjId, range, map, memSize, frameNo, n, ringbuf, precise);
    }

    public Reg withFrame(int f) {
        return new Reg(type, s, off, id, refObjId, range, map, memSize, f, maybeNull, ringbuf, precise);
    }

    /**
     * Marked by precision backtracking (mark_chain_precision) in a stored state: the scalar's
     * value mattered on some path from there, so pruning compares it; an imprecise scalar matches
     * any scalar. Only stored states carry the mark.
     */
    public Reg withPrecise(boolean p) {
        return new Reg(type, s, off, id, refObjId, range, map, memSize, frameNo, maybeNull, ringbuf, p);
    }

    /** reg_type_str: {@code map_value_or_null}, {@code ringbuf_mem}, {@code scalar}. */
    public String typeName() {
        String base = type == RegType.PTR_TO_MEM && ringbuf ? "ringbuf_mem" : type.text();
        return maybeNull ? base + "_or_null" : base;
    }

    /** print_reg_state, in the kernel's format: {@code 0}, {@code ctx()}, {@code fp-8}, {@code pkt(off=14,r=34)}. */
    public String format(int curFrame, List<MapSpec> maps) {
        if (type == RegType.NOT_INIT) return "?";
        if (type == RegType.SCALAR_VALUE) return s.toString();
        StringBuilder sb = new StringBuilder(typeName());
        if (type == RegType.PTR_TO_STACK) {
            if (frameNo != curFrame) sb.append('[').append(frameNo).append(']');
            if (s.isConst()) return sb.append(Scalar.snum(s.constValue() + off)).toString();
        }
        sb.append('(');
        String sep = "";
        if (id != 0) { sb.append("id=").append(id); sep = ","; }
        if (refObjId != 0) { sb.append(sep).append("ref_obj_id=").append(refObjId); sep = ","; }
        if (map >= 0 && (type == RegType.CONST_PTR_TO_MAP || type == RegType.PTR_TO_MAP_VALUE || type == RegType.PTR_TO_MAP_KEY)) {
            MapSpec m = map < maps.size() ? maps.get(map) : null;
            String name = m == null || m.name().isEmpty() ? "map" + map : m.name();
            sb.append(sep).append("map=").append(name);
            if (m != null) sb.append(",ks=").append(m.keySize()).append(",vs=").append(m.valueSize());
            sep = ",";
        }
        if (off != 0) { sb.append(sep).append("off=").append(off); sep = ","; }
        if (type.isPacket()) { sb.append(sep).append("r=").append(range); sep = ","; }
        if (type == RegType.PTR_TO_MEM) { sb.append(sep).append("sz=").append(memSize); sep = ","; }
        if (!s.isConst()) s.appendRanges(sb);
        return sb.append(')').toString();
    }
}
