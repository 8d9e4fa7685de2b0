package org.obpf.offload.rfpc.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Just enough of ELF32 little-endian for the tests: load segments, sections, symbols, RELA relocations. */
public final class Elf32 {
    public record Segment(int type, int offset, int vaddr, int fileSize, int memSize, int flags) {}

    public record Section(String name, int type, int addr, int offset, int size, int link, int info, int entSize) {}

    public record Sym(String name, int value, int size, int shndx, int info) {}

    public record Rela(int offset, int type, int sym, int addend) {}

    public static final int PT_LOAD = 1, SHT_SYMTAB = 2, SHT_RELA = 4, PF_X = 1;

    private final byte[] data;
    private final ByteBuffer b;
    public final int entry;
    public final List<Segment> segments = new ArrayList<>();
    public final List<Section> sections = new ArrayList<>();

    public Elf32(byte[] data) {
        this.data = data;
        this.b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        if (data.length < 52 || b.getInt(0) != 0x464c457f || data[4] != 1 || data[5] != 1) {
            throw new IllegalArgumentException("not a little-endian ELF32 file");
        }
        if ((b.getShort(18) & 0xffff) != 243) throw new IllegalArgumentException("not a RISC-V ELF (e_machine " + b.getShort(18) + ")");
        entry = b.getInt(24);
        int phoff = b.getInt(28), shoff = b.getInt(32);
        int phentsize = b.getShort(42) & 0xffff, phnum = b.getShort(44) & 0xffff;
        int shentsize = b.getShort(46) & 0xffff, shnum = b.getShort(48) & 0xffff, shstrndx = b.getShort(50) & 0xffff;
        for (int i = 0; i < phnum; i++) {
            int o = phoff + i * phentsize;
            segments.add(new Segment(b.getInt(o), b.getInt(o + 4), b.getInt(o + 8), b.getInt(o + 16), b.getInt(o + 20), b.getInt(o + 24)));
        }
        int strOff = shnum > 0 ? b.getInt(shoff + shstrndx * shentsize + 16) : 0;
        for (int i = 0; i < shnum; i++) {
            int o = shoff + i * shentsize;
            sections.add(new Section(cstr(strOff + b.getInt(o)), b.getInt(o + 4), b.getInt(o + 12), b.getInt(o + 16),
                    b.getInt(o + 20), b.getInt(o + 24), b.getInt(o + 28), b.getInt(o + 36)));
        }
    }

    public static Elf32 read(Path p) throws IOException {
        return new Elf32(Files.readAllBytes(p));
    }

    public byte[] bytes(int offset, int size) {
        byte[] out = new byte[size];
        System.arraycopy(data, offset, out, 0, size);
        return out;
    }

    public Section section(String name) {
        return sections.stream().filter(s -> s.name.equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no section " + name));
    }

    public List<Sym> symbols() {
        Section st = sections.stream().filter(s -> s.type == SHT_SYMTAB).findFirst().orElseThrow();
        int strOff = sections.get(st.link).offset;
        List<Sym> out = new ArrayList<>();
        for (int o = st.offset; o < st.offset + st.size; o += 16) {
            out.add(new Sym(cstr(strOff + b.getInt(o)), b.getInt(o + 4), b.getInt(o + 8), b.getShort(o + 14) & 0xffff, data[o + 12]));
        }
        return out;
    }

    public int symbol(String name) {
        return symbols().stream().filter(s -> s.name.equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no symbol " + name)).value;
    }

    /** RELA records that apply to section {@code target}. */
    public List<Rela> relocations(String target) {
        int idx = sections.indexOf(section(target));
        List<Rela> out = new ArrayList<>();
        for (Section s : sections) {
            if (s.type != SHT_RELA || s.info != idx) continue;
            for (int o = s.offset; o < s.offset + s.size; o += 12) {
                int info = b.getInt(o + 4);
                out.add(new Rela(b.getInt(o), info & 0xff, info >>> 8, b.getInt(o + 8)));
            }
        }
        return out;
    }

    private String cstr(int off) {
        int end = off;
        while (data[end] != 0) end++;
        return new String(data, off, end - off, StandardCharsets.US_ASCII);
    }
}
