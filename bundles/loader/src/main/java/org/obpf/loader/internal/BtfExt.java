package org.obpf.loader.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.obpf.api.Errno;
import org.obpf.api.obj.LoadException;

/**
 * The {@code .BTF.ext} section: function and line info per section (byte offsets of
 * instructions in their section), validated; CO-RE relocation records ({@code struct bpf_core_relo})
 * are rejected, because applying them needs the target kernel's BTF, which OBPF does not have.
 */
final class BtfExt {
    /** {insn_off, type_id} per section name. */
    final Map<String, List<long[]>> funcInfo = new HashMap<>();
    /** {insn_off, file_name_off, line_off, line_col} per section name. */
    final Map<String, List<long[]>> lineInfo = new HashMap<>();

    private BtfExt() {}

    private static final String[] CORE_KINDS = {"field byte offset", "field byte size", "field exists", "field signed",
        "field left shift", "field right shift", "local type id", "target type id", "type exists", "type size",
        "enum value exists", "enum value", "type matches"};

    static BtfExt parse(String object, byte[] data, Btf btf) throws LoadException {
        BtfExt ext = new BtfExt();
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        if (data.length < 24) throw bad(object, "truncated header: " + data.length + " bytes, need 24");
        int magic = Short.toUnsignedInt(b.getShort(0));
        if (magic != Btf.BTF_MAGIC) throw bad(object, "bad magic 0x" + Integer.toHexString(magic) + ", expected 0xeb9f");
        if (data[2] != 1) throw bad(object, "version " + data[2] + ", expected 1");
        long hdrLen = u32(b, 4);
        if (hdrLen < 24 || hdrLen > data.length) throw bad(object, "header length " + hdrLen + " out of range (" + data.length + " bytes)");
        long body = data.length - hdrLen;
        checkRange(object, "func info", u32(b, 8), u32(b, 12), body);
        checkRange(object, "line info", u32(b, 16), u32(b, 20), body);
        records(object, b, btf, "func info", (int) (hdrLen + u32(b, 8)), u32(b, 12), 8, 2, ext.funcInfo);
        records(object, b, btf, "line info", (int) (hdrLen + u32(b, 16)), u32(b, 20), 16, 4, ext.lineInfo);
        if (hdrLen < 32) return ext; // no CO-RE part in this header version
        long off = u32(b, 24), len = u32(b, 28);
        checkRange(object, "CO-RE relocations", off, len, body);
        if (len == 0) return ext;
        if (len < 4) throw bad(object, "CO-RE relocation part of " + len + " bytes has no record size");
        int p = (int) (hdrLen + off);
        int end = p + (int) len;
        long recSize = u32(b, p);
        if (recSize < 16 || recSize > len) throw bad(object, "CO-RE relocation record size " + recSize + " out of range");
        p += 4;
        while (p < end) {
            if (end - p < 8) throw bad(object, "truncated CO-RE relocation section header");
            long secNameOff = u32(b, p);
            long num = u32(b, p + 4);
            p += 8;
            if (num > (end - p) / recSize) throw bad(object, "CO-RE relocation section of " + num + " records extends past the part");
            String sec = btf.string(secNameOff);
            if (num > 0) {
                long insnOff = u32(b, p);
                long typeId = u32(b, p + 4);
                long kind = u32(b, p + 12);
                String kindName = kind < CORE_KINDS.length ? CORE_KINDS[(int) kind] : "kind " + kind;
                String type = typeId < btf.typeCount() ? btf.name((int) typeId) : "?";
                throw new LoadException(Errno.ENOTSUPP, object, sec, (int) Math.min(insnOff / 8, Integer.MAX_VALUE),
                        "CO-RE relocation (" + kindName + ") against BTF type [" + typeId + "] '" + type
                                + "' is not supported: it needs the target kernel's BTF (BPF_CORE_READ, bpf_core_*)");
            }
        }
        return ext;
    }

    /** One info part: u32 record size, then per section {name offset, count, records}; the first {@code fields} u32 of each record kept. */
    private static void records(String object, ByteBuffer b, Btf btf, String what, int p, long len, int minRecSize, int fields,
                                Map<String, List<long[]>> out) throws LoadException {
        if (len == 0) return;
        if (len < 4) throw bad(object, what + " part of " + len + " bytes has no record size");
        int end = p + (int) len;
        long recSize = u32(b, p);
        if (recSize < minRecSize || recSize > len || recSize % 4 != 0) throw bad(object, what + " record size " + recSize + " out of range");
        p += 4;
        while (p < end) {
            if (end - p < 8) throw bad(object, "truncated " + what + " section header");
            String sec = btf.string(u32(b, p));
            long num = u32(b, p + 4);
            p += 8;
            if (num > (end - p) / recSize) throw bad(object, what + " of section '" + sec + "': " + num + " records extend past the part");
            List<long[]> list = out.computeIfAbsent(sec, k -> new ArrayList<>());
            for (long i = 0; i < num; i++) {
                long[] rec = new long[fields];
                for (int f = 0; f < fields; f++) rec[f] = u32(b, p + 4 * f);
                list.add(rec);
                p += (int) recSize;
            }
        }
    }

    private static void checkRange(String object, String what, long off, long len, long body) throws LoadException {
        if (off > body || len > body - off) throw bad(object, what + " (offset " + off + ", length " + len + ") extends past the end of .BTF.ext");
    }

    private static LoadException bad(String object, String problem) {
        return new LoadException(Errno.EINVAL, object, ".BTF.ext", -1, "bad BTF.ext: " + problem);
    }

    private static long u32(ByteBuffer b, int off) {
        return b.getInt(off) & 0xffffffffL;
    }
}
