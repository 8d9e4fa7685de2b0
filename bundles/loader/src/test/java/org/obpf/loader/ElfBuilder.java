package org.obpf.loader;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Writes small ELF64 EM_BPF relocatable files from sections and symbols, for tests of sizes no compiler produces. */
final class ElfBuilder {
    private record Sec(String name, int type, long flags, byte[] data, int link, int info, long entsize) {}

    private final List<Sec> sections = new ArrayList<>();
    private final ByteArrayOutputStream strtab = new ByteArrayOutputStream();
    private final ByteArrayOutputStream symtab = new ByteArrayOutputStream();
    private int symbols = 1;

    ElfBuilder() {
        strtab.write(0);
        symtab.writeBytes(new byte[24]);
    }

    /** Adds a section; returns its index (section 0 is the null section). */
    int section(String name, int type, long flags, byte[] data, int link, int info, long entsize) {
        sections.add(new Sec(name, type, flags, data, link, info, entsize));
        return sections.size();
    }

    int code(String name, byte[] insns) {
        return section(name, 1, 0x6, insns, 0, 0, 0);
    }

    /** Offset of a new string in .strtab. */
    int string(String s) {
        int off = strtab.size();
        strtab.writeBytes(s.getBytes(StandardCharsets.UTF_8));
        strtab.write(0);
        return off;
    }

    /** Adds a symbol; returns its index. */
    int symbol(int nameOff, int type, int bind, int shndx, long value, long size) {
        ByteBuffer b = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(nameOff).put((byte) (bind << 4 | type)).put((byte) 0).putShort((short) shndx).putLong(value).putLong(size);
        symtab.writeBytes(b.array());
        return symbols++;
    }

    /** A REL section for {@code target}; the symbol table's index is filled in by {@link #build()}. */
    int rel(String name, int target, byte[] entries) {
        return section(name, 9, 0, entries, -1, target, 16);
    }

    static byte[] rel(long offset, int sym, int type) {
        return ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(offset).putLong((long) sym << 32 | type).array();
    }

    byte[] build() {
        List<Sec> all = new ArrayList<>(sections);
        int strtabIdx = all.size() + 1;
        all.add(new Sec(".strtab", 3, 0, strtab.toByteArray(), 0, 0, 0));
        int symtabIdx = all.size() + 1;
        all.add(new Sec(".symtab", 2, 0, symtab.toByteArray(), strtabIdx, 1, 24));
        ByteArrayOutputStream shstr = new ByteArrayOutputStream();
        shstr.write(0);
        int[] nameOff = new int[all.size() + 1];
        for (int i = 0; i < all.size(); i++) {
            nameOff[i] = shstr.size();
            shstr.writeBytes(all.get(i).name().getBytes(StandardCharsets.UTF_8));
            shstr.write(0);
        }
        nameOff[all.size()] = shstr.size();
        shstr.writeBytes(".shstrtab\0".getBytes(StandardCharsets.UTF_8));
        // nameOff is indexed like "all" once .shstrtab is added
        all.add(new Sec(".shstrtab", 3, 0, shstr.toByteArray(), 0, 0, 0));

        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[64]);
        long[] offsets = new long[all.size()];
        for (int i = 0; i < all.size(); i++) {
            while (body.size() % 8 != 0) body.write(0);
            offsets[i] = body.size();
            body.writeBytes(all.get(i).data());
        }
        while (body.size() % 8 != 0) body.write(0);
        long shoff = body.size();
        ByteBuffer sh = ByteBuffer.allocate(64 * (all.size() + 1)).order(ByteOrder.LITTLE_ENDIAN);
        sh.position(64);
        for (int i = 0; i < all.size(); i++) {
            Sec s = all.get(i);
            sh.putInt(nameOff[i]).putInt(s.type()).putLong(s.flags()).putLong(0)
                    .putLong(offsets[i]).putLong(s.data().length).putInt(s.link() == -1 ? symtabIdx : s.link()).putInt(s.info())
                    .putLong(8).putLong(s.entsize());
        }
        body.writeBytes(sh.array());
        byte[] f = body.toByteArray();
        ByteBuffer h = ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(0, 0x464c457f).put(4, (byte) 2).put(5, (byte) 1).put(6, (byte) 1);
        h.putShort(16, (short) 1).putShort(18, (short) 247).putInt(20, 1).putLong(0x28, shoff)
                .putShort(0x34, (short) 64).putShort(0x3a, (short) 64).putShort(0x3c, (short) (all.size() + 1))
                .putShort(0x3e, (short) all.size());
        return f;
    }
}
