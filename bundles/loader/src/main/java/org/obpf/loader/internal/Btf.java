package org.obpf.loader.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import org.obpf.api.Errno;
import org.obpf.api.obj.LoadException;

/**
 * The {@code .BTF} section's type information (include/uapi/linux/btf.h): header, type records
 * and string table, validated on construction. Type ids start at 1; 0 is void.
 */
public final class Btf {
    static final int BTF_MAGIC = 0xeB9F;

    static final int KIND_INT = 1;
    static final int KIND_PTR = 2;
    static final int KIND_ARRAY = 3;
    static final int KIND_STRUCT = 4;
    static final int KIND_UNION = 5;
    static final int KIND_ENUM = 6;
    static final int KIND_FWD = 7;
    static final int KIND_TYPEDEF = 8;
    static final int KIND_VOLATILE = 9;
    static final int KIND_CONST = 10;
    static final int KIND_RESTRICT = 11;
    static final int KIND_FUNC = 12;
    static final int KIND_FUNC_PROTO = 13;
    static final int KIND_VAR = 14;
    static final int KIND_DATASEC = 15;
    static final int KIND_FLOAT = 16;
    static final int KIND_DECL_TAG = 17;
    static final int KIND_TYPE_TAG = 18;
    static final int KIND_ENUM64 = 19;

    private static final String[] KIND_NAMES = {"UNKN", "INT", "PTR", "ARRAY", "STRUCT", "UNION", "ENUM", "FWD", "TYPEDEF",
        "VOLATILE", "CONST", "RESTRICT", "FUNC", "FUNC_PROTO", "VAR", "DATASEC", "FLOAT", "DECL_TAG", "TYPE_TAG", "ENUM64"};

    /** Longest chain of modifiers and typedefs followed, as libbpf's MAX_RESOLVE_DEPTH. */
    static final int MAX_RESOLVE_DEPTH = 32;

    /** A struct/union member or a datasec entry. */
    record Member(String name, int type, long offset) {}

    /** A datasec entry: variable type id, offset, size. */
    record VarSecInfo(int type, long offset, long size) {}

    private final String object;
    private final ByteBuffer b;
    private final int typeStart;
    private final int strStart;
    private final int strLen;
    private final StringTable strings;
    private final int[] typeOff; // typeOff[id] = byte offset of type id's record; index 0 unused

    public Btf(String object, byte[] data) throws LoadException {
        this.object = object;
        this.b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        if (data.length < 24) throw error("truncated header: " + data.length + " bytes, need 24");
        int magic = Short.toUnsignedInt(b.getShort(0));
        if (magic != BTF_MAGIC) throw error("bad magic 0x" + Integer.toHexString(magic) + ", expected 0xeb9f (only little-endian BTF is supported)");
        if (data[2] != 1) throw error("version " + data[2] + ", expected 1");
        long hdrLen = u32(4);
        long typeOffField = u32(8), typeLen = u32(12), strOffField = u32(16), strLenField = u32(20);
        if (hdrLen < 24 || hdrLen > data.length) throw error("header length " + hdrLen + " out of range (section has " + data.length + " bytes)");
        long body = data.length - hdrLen;
        if (typeOffField > body || typeLen > body - typeOffField) throw error("type section (offset " + typeOffField + ", length " + typeLen + ") extends past the end of .BTF");
        if (strOffField > body || strLenField > body - strOffField) throw error("string section (offset " + strOffField + ", length " + strLenField + ") extends past the end of .BTF");
        if (typeOffField % 4 != 0) throw error("type section offset " + typeOffField + " is not 4-byte aligned");
        this.typeStart = (int) (hdrLen + typeOffField);
        this.strStart = (int) (hdrLen + strOffField);
        this.strLen = (int) strLenField;
        if (strLen == 0 || data[strStart] != 0 || data[strStart + strLen - 1] != 0) {
            throw error("string section must start and end with a NUL byte");
        }
        this.strings = new StringTable(data, strStart, strLen);
        this.typeOff = parseTypes((int) typeLen);
    }

    private LoadException error(String problem) {
        return new LoadException(Errno.EINVAL, object, ".BTF", -1, "bad BTF: " + problem);
    }

    private int[] parseTypes(int typeLen) throws LoadException {
        int end = typeStart + typeLen;
        List<Integer> offs = new ArrayList<>();
        offs.add(-1);
        int p = typeStart;
        while (p < end) {
            int id = offs.size();
            if (end - p < 12) throw error("type [" + id + "] at offset " + (p - typeStart) + " is truncated");
            int info = b.getInt(p + 4);
            int kind = (info >>> 24) & 0x1f;
            int vlen = info & 0xffff;
            long extra = switch (kind) {
                case KIND_INT -> 4;
                case KIND_PTR, KIND_FWD, KIND_TYPEDEF, KIND_VOLATILE, KIND_CONST, KIND_RESTRICT, KIND_FUNC, KIND_FLOAT,
                     KIND_TYPE_TAG -> 0;
                case KIND_ARRAY -> 12;
                case KIND_STRUCT, KIND_UNION -> 12L * vlen;
                case KIND_ENUM -> 8L * vlen;
                case KIND_FUNC_PROTO -> 8L * vlen;
                case KIND_VAR -> 4;
                case KIND_DATASEC -> 12L * vlen;
                case KIND_DECL_TAG -> 4;
                case KIND_ENUM64 -> 12L * vlen;
                default -> throw error("type [" + id + "] has unknown kind " + kind);
            };
            if (extra > end - p - 12) throw error("type [" + id + "] (" + KIND_NAMES[kind] + ", vlen " + vlen + ") is truncated");
            long nameOff = u32(p);
            if (nameOff >= strLen) throw error("type [" + id + "] name offset " + nameOff + " is out of the string section (" + strLen + " bytes)");
            offs.add(p);
            p += 12 + (int) extra;
        }
        int[] out = new int[offs.size()];
        for (int i = 0; i < out.length; i++) out[i] = offs.get(i);
        return out;
    }

    /** Number of type ids including void (0). */
    int typeCount() { return typeOff.length; }

    private int rec(int id) throws LoadException {
        if (id <= 0 || id >= typeOff.length) throw error("type id " + id + " out of range (" + (typeOff.length - 1) + " types)");
        return typeOff[id];
    }

    int kind(int id) throws LoadException {
        if (id == 0) return 0;
        return (b.getInt(rec(id) + 4) >>> 24) & 0x1f;
    }

    static String kindName(int kind) {
        return kind >= 0 && kind < KIND_NAMES.length ? KIND_NAMES[kind] : "kind " + kind;
    }

    int vlen(int id) throws LoadException { return b.getInt(rec(id) + 4) & 0xffff; }

    /** The size/type field: size for INT, STRUCT, UNION, ENUM, DATASEC, FLOAT; referenced type otherwise. */
    long sizeOrType(int id) throws LoadException { return u32(rec(id) + 8); }

    String name(int id) throws LoadException {
        if (id == 0) return "void";
        return string(u32(rec(id)));
    }

    String string(long off) throws LoadException {
        try {
            return strings.get(off);
        } catch (StringTable.Bad e) {
            throw error(e.getMessage());
        }
    }

    /** A referenced type id (PTR, TYPEDEF, modifiers, VAR, FUNC), checked to be in range. */
    int refType(int id) throws LoadException {
        long t = sizeOrType(id);
        if (t >= typeOff.length) throw error("type [" + id + "] refers to type id " + t + ", out of range (" + (typeOff.length - 1) + " types)");
        return (int) t;
    }

    /** Members of a STRUCT or UNION; offsets in bits. */
    List<Member> members(int id) throws LoadException {
        int p = rec(id);
        boolean bitfieldEncoding = (b.getInt(p + 4) & 0x80000000) != 0;
        int n = vlen(id);
        List<Member> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int m = p + 12 + 12 * i;
            long type = u32(m + 4);
            if (type >= typeOff.length) throw error("member " + i + " of type [" + id + "] refers to type id " + type + ", out of range");
            long off = u32(m + 8);
            out.add(new Member(string(u32(m)), (int) type, bitfieldEncoding ? off & 0xffffff : off));
        }
        return out;
    }

    /** ARRAY: {elem type, index type, nelems}. */
    long[] array(int id) throws LoadException {
        int p = rec(id) + 12;
        long elem = u32(p);
        if (elem >= typeOff.length) throw error("array type [" + id + "] element type id " + elem + " out of range");
        return new long[] {elem, u32(p + 4), u32(p + 8)};
    }

    /** DATASEC entries. */
    List<VarSecInfo> datasec(int id) throws LoadException {
        int p = rec(id);
        int n = vlen(id);
        List<VarSecInfo> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int v = p + 12 + 12 * i;
            long type = u32(v);
            if (type >= typeOff.length) throw error("entry " + i + " of datasec [" + id + "] refers to type id " + type + ", out of range");
            out.add(new VarSecInfo((int) type, u32(v + 4), u32(v + 8)));
        }
        return out;
    }

    /** VAR linkage: 0 static, 1 global, 2 extern. */
    long varLinkage(int id) throws LoadException { return u32(rec(id) + 12); }

    /** The id of the DATASEC named {@code name}, or 0. */
    int findDatasec(String name) throws LoadException {
        for (int id = 1; id < typeOff.length; id++) {
            if (kind(id) == KIND_DATASEC && name(id).equals(name)) return id;
        }
        return 0;
    }

    /** Follows modifiers (const, volatile, restrict, type tags) and typedefs, as libbpf's skip_mods_and_typedefs. */
    int skipModsAndTypedefs(int id) throws LoadException {
        for (int depth = 0; depth < MAX_RESOLVE_DEPTH; depth++) {
            int k = kind(id);
            if (k != KIND_TYPEDEF && k != KIND_VOLATILE && k != KIND_CONST && k != KIND_RESTRICT && k != KIND_TYPE_TAG) return id;
            id = refType(id);
        }
        throw error("type chain longer than " + MAX_RESOLVE_DEPTH + " modifiers and typedefs (a loop?)");
    }

    /** The size in bytes of a type, as libbpf's btf__resolve_size. */
    long resolveSize(int id) throws LoadException {
        long nelems = 1;
        int start = id;
        for (int depth = 0; depth < MAX_RESOLVE_DEPTH; depth++) {
            int k = kind(id);
            switch (k) {
                case KIND_INT, KIND_STRUCT, KIND_UNION, KIND_ENUM, KIND_ENUM64, KIND_DATASEC, KIND_FLOAT -> {
                    long size = sizeOrType(id);
                    if (nelems != 0 && size > Integer.MAX_VALUE / nelems) throw error("size of type [" + start + "] overflows");
                    return size * nelems;
                }
                case KIND_PTR -> {
                    if (nelems > Integer.MAX_VALUE / 8) throw error("size of type [" + start + "] overflows");
                    return 8 * nelems;
                }
                case KIND_TYPEDEF, KIND_VOLATILE, KIND_CONST, KIND_RESTRICT, KIND_TYPE_TAG, KIND_VAR, KIND_DECL_TAG -> id = refType(id);
                case KIND_ARRAY -> {
                    long[] a = array(id);
                    if (a[2] != 0 && nelems > Integer.MAX_VALUE / a[2]) throw error("size of type [" + start + "] overflows");
                    nelems *= a[2];
                    id = (int) a[0];
                }
                default -> throw error("type [" + start + "] has no size (" + kindName(k) + ")");
            }
        }
        throw error("type chain of [" + start + "] is longer than " + MAX_RESOLVE_DEPTH + " (a loop?)");
    }

    private long u32(int off) {
        return b.getInt(off) & 0xffffffffL;
    }
}
