package org.obpf.offload.rfpc;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.obpf.api.BpfException;
import org.obpf.api.Errno;
import org.obpf.api.jit.Relocation;
import org.obpf.api.jit.Symbol;
import org.obpf.api.offload.DeviceImage;
import org.obpf.api.offload.DeviceMap;

/**
 * What the host driver sends the RFPC for dynamic offload: a header, the relocation records, the
 * maps' device addresses, and the code, all little-endian. The device's loader
 * ({@link #decode}) reads it back without any host object.
 *
 * <pre>
 * u32 magic 'RFPD'   u16 version 1   u16 flags 0
 * u32 code bytes     u32 relocations u32 sub-programs  u32 maps   u16 name bytes
 * name (UTF-8)
 * u32 sub-program entry offset, per sub-program
 * u32 map device address, per map (index = Symbol index of MAP / MAP_VALUE)
 * per relocation: u32 offset, u16 type, u8 symbol kind, u8 0, i32 symbol index, i64 addend,
 *                 u16 name bytes + name (RUNTIME symbols; 0 otherwise)
 * code
 * </pre>
 */
record DynamicImage(String name, byte[] code, List<Relocation> relocations, int[] subprogOffsets, long[] mapAddresses) {
    static final int MAGIC = 0x44504652; // "RFPD" read little-endian
    static final int VERSION = 1;

    /** Host side: the image and its maps as bytes. */
    static byte[] encode(DeviceImage.Dynamic d) {
        byte[] name = d.name().getBytes(StandardCharsets.UTF_8);
        byte[] code = d.image().code();
        int[] subs = d.image().subprogOffsets();
        int size = 26 + name.length + 4 * subs.length + 4 * d.maps().size() + code.length;
        for (Relocation r : d.image().relocations()) size += 22 + r.symbol().name().getBytes(StandardCharsets.UTF_8).length;
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(MAGIC).putShort((short) VERSION).putShort((short) 0);
        b.putInt(code.length).putInt(d.image().relocations().size()).putInt(subs.length).putInt(d.maps().size());
        b.putShort((short) name.length).put(name);
        for (int s : subs) b.putInt(s);
        for (DeviceMap m : d.maps()) b.putInt((int) m.deviceAddress());
        for (Relocation r : d.image().relocations()) {
            byte[] sym = r.symbol().name().getBytes(StandardCharsets.UTF_8);
            b.putInt(r.offset()).putShort((short) r.type()).put((byte) r.symbol().kind().ordinal()).put((byte) 0)
                    .putInt(r.symbol().index()).putLong(r.addend()).putShort((short) sym.length).put(sym);
        }
        b.put(code);
        return b.array();
    }

    /** Device side: the loader's parse of what the host sent; anything malformed is EINVAL naming the field. */
    static DynamicImage decode(String dev, byte[] blob) throws BpfException {
        ByteBuffer b = ByteBuffer.wrap(blob).order(ByteOrder.LITTLE_ENDIAN);
        try {
            if (b.getInt() != MAGIC) throw bad(dev, "no RFPD magic");
            int version = b.getShort() & 0xffff;
            if (version != VERSION) throw bad(dev, "header version " + version + ", the loader reads " + VERSION);
            b.getShort();
            int codeLen = b.getInt(), nrel = b.getInt(), nsub = b.getInt(), nmap = b.getInt();
            if (codeLen <= 0 || nrel < 0 || nsub <= 0 || nmap < 0 || codeLen > blob.length) {
                throw bad(dev, "header counts code " + codeLen + ", relocations " + nrel + ", sub-programs " + nsub + ", maps " + nmap);
            }
            byte[] name = new byte[b.getShort() & 0xffff];
            b.get(name);
            int[] subs = new int[nsub];
            for (int i = 0; i < nsub; i++) {
                subs[i] = b.getInt();
                if (subs[i] < 0 || subs[i] >= codeLen) throw bad(dev, "sub-program " + i + " entry " + subs[i] + " outside the code");
            }
            long[] maps = new long[nmap];
            for (int i = 0; i < nmap; i++) maps[i] = Integer.toUnsignedLong(b.getInt());
            List<Relocation> rel = new ArrayList<>(nrel);
            Symbol.Kind[] kinds = Symbol.Kind.values();
            for (int i = 0; i < nrel; i++) {
                int off = b.getInt(), type = b.getShort() & 0xffff, kind = b.get() & 0xff;
                b.get();
                int index = b.getInt();
                long addend = b.getLong();
                byte[] sym = new byte[b.getShort() & 0xffff];
                b.get(sym);
                if (kind >= kinds.length) throw bad(dev, "relocation " + i + ": symbol kind " + kind);
                if (off < 0 || off >= codeLen) throw bad(dev, "relocation " + i + ": offset " + off + " outside the code");
                rel.add(new Relocation(off, type, Relocator.NAMES.getOrDefault(type, "R_RISCV_" + type),
                        new Symbol(kinds[kind], index, new String(sym, StandardCharsets.UTF_8)), addend));
            }
            if (b.remaining() != codeLen) throw bad(dev, b.remaining() + " bytes of code follow the header, it says " + codeLen);
            byte[] code = new byte[codeLen];
            b.get(code);
            return new DynamicImage(new String(name, StandardCharsets.UTF_8), code, rel, subs, maps);
        } catch (BufferUnderflowException e) {
            throw bad(dev, "truncated at byte " + b.position() + " of " + blob.length);
        }
    }

    private static BpfException bad(String dev, String what) {
        return new BpfException(Errno.EINVAL, dev + ": dynamic image: " + what);
    }
}
