package org.obpf.api.testing;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Just enough of a little-endian ELF64 relocatable reader for the tests: sections and symbols. */
public final class Elf {
    public static final int SHT_SYMTAB = 2;
    public static final long SHF_EXECINSTR = 0x4;
    public static final int STT_SECTION = 3;

    public record Section(int index, String name, int type, long flags, byte[] data, int link) {
        public boolean executable() { return (flags & SHF_EXECINSTR) != 0; }

        /** The section as program slots (8-byte little-endian words). */
        public long[] words() {
            ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
            long[] w = new long[data.length / 8];
            for (int i = 0; i < w.length; i++) w[i] = b.getLong(i * 8);
            return w;
        }
    }

    public record Symbol(String name, int type, int section, long value) {}

    private final List<Section> sections = new ArrayList<>();
    private final List<Symbol> symbols = new ArrayList<>();

    public Elf(byte[] file) {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt(0) != 0x464c457f || file[4] != 2 || file[5] != 1) {
            throw new IllegalArgumentException("not a little-endian ELF64 file");
        }
        long shoff = b.getLong(0x28);
        int shentsize = Short.toUnsignedInt(b.getShort(0x3a));
        int shnum = Short.toUnsignedInt(b.getShort(0x3c));
        int shstrndx = Short.toUnsignedInt(b.getShort(0x3e));
        int[] nameOff = new int[shnum];
        List<Section> raw = new ArrayList<>();
        for (int i = 0; i < shnum; i++) {
            int h = (int) (shoff + (long) i * shentsize);
            nameOff[i] = b.getInt(h);
            int type = b.getInt(h + 4);
            long flags = b.getLong(h + 8);
            long offset = b.getLong(h + 0x18);
            long size = b.getLong(h + 0x20);
            int link = b.getInt(h + 0x28);
            byte[] data = type == 8 ? new byte[0] : java.util.Arrays.copyOfRange(file, (int) offset, (int) (offset + size)); // 8 = SHT_NOBITS
            raw.add(new Section(i, null, type, flags, data, link));
        }
        byte[] shstr = raw.get(shstrndx).data();
        for (Section s : raw) {
            sections.add(new Section(s.index(), cstring(shstr, nameOff[s.index()]), s.type(), s.flags(), s.data(), s.link()));
        }
        for (Section s : sections) {
            if (s.type() != SHT_SYMTAB) continue;
            byte[] str = sections.get(s.link()).data();
            ByteBuffer sb = ByteBuffer.wrap(s.data()).order(ByteOrder.LITTLE_ENDIAN);
            for (int off = 24; off + 24 <= s.data().length; off += 24) { // entry 0 is the null symbol
                String name = cstring(str, sb.getInt(off));
                int info = sb.get(off + 4) & 0xff;
                int shndx = Short.toUnsignedInt(sb.getShort(off + 6));
                symbols.add(new Symbol(name, info & 0xf, shndx, sb.getLong(off + 8)));
            }
        }
    }

    private static String cstring(byte[] table, int off) {
        int end = off;
        while (end < table.length && table[end] != 0) end++;
        return new String(table, off, end - off, StandardCharsets.UTF_8);
    }

    public List<Section> sections() { return sections; }

    public List<Section> executableSections() {
        return sections.stream().filter(s -> s.executable() && s.data().length > 0).toList();
    }

    /**
     * The symbols llvm-objdump uses to name branch targets in a section: every symbol defined
     * in it except section symbols, sorted by (address, name, type) like its SymbolInfoTy.
     */
    public List<Symbol> targetSymbols(Section section) {
        return symbols.stream().filter(s -> s.section() == section.index() && s.type() != STT_SECTION)
                .sorted(Comparator.comparingLong(Symbol::value).thenComparing(Symbol::name).thenComparingInt(Symbol::type))
                .toList();
    }

    /**
     * llvm-objdump's {@code <name>} / {@code <name+0xoff>} for a branch to slot {@code target}:
     * the last symbol at or before the target's address.
     */
    public String label(Section section, int target) {
        long addr = target * 8L;
        Symbol best = null;
        for (Symbol s : targetSymbols(section)) {
            if (s.value() <= addr) best = s;
        }
        if (best == null) return null;
        long disp = addr - best.value();
        return disp == 0 ? best.name() : best.name() + "+0x" + Long.toHexString(disp);
    }
}
