package org.obpf.loader.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

import org.obpf.api.Errno;
import org.obpf.api.obj.LoadException;

/**
 * A validated view of an ELF64 little-endian relocatable file for EM_BPF: section headers,
 * section names, the symbol table and REL relocation entries. Every offset and count is checked
 * against the file size before use, so every loop is bounded by the file size.
 */
public final class ElfFile {
    static final int EM_NONE = 0;
    static final int EM_BPF = 247;
    static final int ET_REL = 1;

    static final int SHT_NULL = 0;
    static final int SHT_PROGBITS = 1;
    static final int SHT_SYMTAB = 2;
    static final int SHT_STRTAB = 3;
    static final int SHT_RELA = 4;
    static final int SHT_NOBITS = 8;
    static final int SHT_REL = 9;
    static final int SHT_SYMTAB_SHNDX = 18;

    static final long SHF_WRITE = 0x1;
    static final long SHF_ALLOC = 0x2;
    static final long SHF_EXECINSTR = 0x4;

    static final int SHN_UNDEF = 0;
    static final int SHN_LORESERVE = 0xff00;
    static final int SHN_ABS = 0xfff1;
    static final int SHN_COMMON = 0xfff2;
    static final int SHN_XINDEX = 0xffff;

    static final int STT_NOTYPE = 0;
    static final int STT_OBJECT = 1;
    static final int STT_FUNC = 2;
    static final int STT_SECTION = 3;
    static final int STB_LOCAL = 0;

    static final int EHDR_SIZE = 64;
    static final int SHDR_SIZE = 64;
    static final int SYM_SIZE = 24;
    static final int REL_SIZE = 16;

    /** One section header, with its name resolved. */
    public record Section(int index, String name, int type, long flags, long offset, long size, int link, int info,
                          long entsize) {
        boolean executable() { return (flags & SHF_EXECINSTR) != 0; }
        boolean hasFileData() { return type != SHT_NOBITS && type != SHT_NULL; }
    }

    /** One symbol table entry, with its name resolved. */
    public record Symbol(int index, String name, int type, int bind, int shndx, long value, long size) {}

    /** One REL entry: offset in the target section, symbol index, relocation type. */
    public record Rel(long offset, int sym, int type) {}

    private final String object;
    private final byte[] file;
    private final ByteBuffer le;
    private final List<Section> sections;
    private final Section symtab;
    private final List<Symbol> symbols;

    public ElfFile(String object, byte[] file) throws LoadException {
        this.object = object;
        this.file = file;
        this.le = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        checkHeader();
        this.sections = readSections();
        checkOverlaps();
        this.symtab = findSymtab();
        this.symbols = symtab == null ? List.of() : readSymbols(symtab);
    }

    LoadException error(String problem) {
        return new LoadException(Errno.EINVAL, object, problem);
    }

    LoadException error(String section, String problem) {
        return new LoadException(Errno.EINVAL, object, section, -1, problem);
    }

    private void checkHeader() throws LoadException {
        if (file.length < EHDR_SIZE) {
            throw error("truncated ELF header: the file has " + file.length + " bytes, an ELF64 header needs " + EHDR_SIZE);
        }
        if (le.getInt(0) != 0x464c457f) throw error("not an ELF file (bad magic number)");
        if (file[4] != 2) throw error("ELF class " + file[4] + ": BPF objects are ELF64 (class 2)");
        if (file[5] != 1) {
            throw error("ELF data encoding " + file[5] + ": only little-endian (1) BPF objects are supported");
        }
        if (file[6] != 1) throw error("ELF version " + file[6] + ", expected 1");
        int type = u16(16);
        if (type != ET_REL) throw error("ELF type " + type + " is not a relocatable object (ET_REL, 1): load the .o that clang -c produces");
        int machine = u16(18);
        if (machine != EM_BPF && machine != EM_NONE) {
            throw error("ELF machine " + machine + " is not BPF (EM_BPF, 247)");
        }
        int shentsize = u16(0x3a);
        if (shentsize != SHDR_SIZE) throw error("section header entry size " + shentsize + ", expected " + SHDR_SIZE);
    }

    private List<Section> readSections() throws LoadException {
        long shoff = le.getLong(0x28);
        if (shoff == 0) throw error("no section header table");
        if (!inFile(shoff, SHDR_SIZE)) {
            throw error("section header table offset " + Long.toUnsignedString(shoff) + " is outside the file (" + file.length + " bytes)");
        }
        long shnum = u16(0x3c);
        if (shnum == 0) shnum = le.getLong((int) shoff + 0x20); // extended numbering: count in section 0's sh_size
        if (shnum == 0 || shnum > (file.length - shoff) / SHDR_SIZE) {
            throw error("section header table of " + Long.toUnsignedString(shnum) + " entries at offset " + shoff
                    + " does not fit in the file (" + file.length + " bytes)");
        }
        int n = (int) shnum;
        int shstrndx = u16(0x3e);
        if (shstrndx == SHN_XINDEX) shstrndx = le.getInt((int) shoff + 0x28); // extended: in section 0's sh_link
        if (shstrndx <= 0 || shstrndx >= n) throw error("section name table index " + shstrndx + " out of range (" + n + " sections)");

        long[][] raw = new long[n][];
        for (int i = 0; i < n; i++) {
            int h = (int) (shoff + (long) i * SHDR_SIZE);
            raw[i] = new long[] {
                le.getInt(h) & 0xffffffffL, le.getInt(h + 4) & 0xffffffffL, le.getLong(h + 8), le.getLong(h + 0x18),
                le.getLong(h + 0x20), le.getInt(h + 0x28) & 0xffffffffL, le.getInt(h + 0x2c) & 0xffffffffL, le.getLong(h + 0x38)
            };
            int type = (int) raw[i][1];
            if (i > 0 && type != SHT_NOBITS && type != SHT_NULL && !inFile(raw[i][3], raw[i][4])) {
                throw error("section " + i + " (offset " + Long.toUnsignedString(raw[i][3]) + ", size "
                        + Long.toUnsignedString(raw[i][4]) + ") extends past the end of the file (" + file.length + " bytes)");
            }
        }
        if (raw[shstrndx][1] != SHT_STRTAB) throw error("section name table (section " + shstrndx + ") is not a string table");
        StringTable names = new StringTable(file, (int) raw[shstrndx][3], (int) raw[shstrndx][4]);
        List<Section> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long[] r = raw[i];
            String name = i == 0 ? "" : string(names, "section names", r[0]);
            out.add(new Section(i, name, (int) r[1], r[2], r[3], r[4], (int) r[5], (int) r[6], r[7]));
        }
        return out;
    }

    private void checkOverlaps() throws LoadException {
        List<Section> withData = new ArrayList<>();
        for (Section s : sections) if (s.hasFileData() && s.size() > 0) withData.add(s);
        withData.sort(Comparator.comparingLong(Section::offset));
        for (int i = 1; i < withData.size(); i++) {
            Section a = withData.get(i - 1), b = withData.get(i);
            if (a.offset() + a.size() > b.offset()) {
                throw error("sections '" + a.name() + "' and '" + b.name() + "' overlap in the file");
            }
        }
        long shoff = le.getLong(0x28);
        long shEnd = shoff + (long) sections.size() * SHDR_SIZE;
        for (Section s : withData) {
            if (s.offset() < EHDR_SIZE) throw error(s.name(), "section data overlaps the ELF header");
            if (s.offset() < shEnd && shoff < s.offset() + s.size()) throw error(s.name(), "section data overlaps the section header table");
        }
    }

    private Section findSymtab() throws LoadException {
        Section found = null;
        for (Section s : sections) {
            if (s.type() == SHT_SYMTAB_SHNDX) throw error(s.name(), "extended symbol section indices (SHT_SYMTAB_SHNDX) are not supported");
            if (s.type() != SHT_SYMTAB) continue;
            if (found != null) throw error("more than one symbol table ('" + found.name() + "', '" + s.name() + "')");
            found = s;
        }
        if (found == null) return null;
        if (found.entsize() != SYM_SIZE) throw error(found.name(), "symbol entry size " + found.entsize() + ", expected " + SYM_SIZE);
        if (found.size() % SYM_SIZE != 0) throw error(found.name(), "size " + found.size() + " is not a multiple of the symbol size " + SYM_SIZE);
        if (found.link() <= 0 || found.link() >= sections.size() || sections.get(found.link()).type() != SHT_STRTAB) {
            throw error(found.name(), "string table index " + found.link() + " is not a string table section");
        }
        return found;
    }

    private List<Symbol> readSymbols(Section st) throws LoadException {
        Section strtab = sections.get(st.link());
        StringTable strRaw = new StringTable(file, (int) strtab.offset(), (int) strtab.size());
        int count = (int) (st.size() / SYM_SIZE);
        List<Symbol> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int o = (int) (st.offset() + (long) i * SYM_SIZE);
            long nameOff = le.getInt(o) & 0xffffffffL;
            int info = file[o + 4] & 0xff;
            int shndx = u16(o + 6);
            long value = le.getLong(o + 8);
            long size = le.getLong(o + 16);
            String name = i == 0 ? "" : string(strRaw, "symbol names", nameOff);
            if (shndx != SHN_UNDEF && shndx < SHN_LORESERVE && shndx >= sections.size()) {
                throw error(st.name(), "symbol " + i + " '" + name + "' refers to section " + shndx + ", out of range ("
                        + sections.size() + " sections)");
            }
            out.add(new Symbol(i, name, info & 0xf, info >>> 4, shndx, value, size));
        }
        return out;
    }

    /** The REL entries of a relocation section, checked against the symbol table and target. */
    List<Rel> rels(Section rel) throws LoadException {
        if (rel.type() == SHT_RELA) throw error(rel.name(), "SHT_RELA relocations are not used by BPF and not supported");
        if (rel.entsize() != REL_SIZE) throw error(rel.name(), "relocation entry size " + rel.entsize() + ", expected " + REL_SIZE);
        if (rel.size() % REL_SIZE != 0) throw error(rel.name(), "size " + rel.size() + " is not a multiple of the relocation size " + REL_SIZE);
        if (symtab == null || rel.link() != symtab.index()) throw error(rel.name(), "relocations refer to section " + rel.link() + ", which is not the symbol table");
        int count = (int) (rel.size() / REL_SIZE);
        List<Rel> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int o = (int) (rel.offset() + (long) i * REL_SIZE);
            long offset = le.getLong(o);
            long info = le.getLong(o + 8);
            long sym = info >>> 32;
            if (sym == 0 || sym >= symbols.size()) {
                throw error(rel.name(), "relocation " + i + " refers to symbol " + sym + ", out of range (" + symbols.size() + " symbols)");
            }
            out.add(new Rel(offset, (int) sym, (int) info));
        }
        return out;
    }

    /** The section's bytes (zeros are not materialised for SHT_NOBITS: empty). */
    byte[] data(Section s) {
        if (!s.hasFileData()) return new byte[0];
        return Arrays.copyOfRange(file, (int) s.offset(), (int) (s.offset() + s.size()));
    }

    /** The section as instruction slots; its size must be a multiple of 8. */
    long[] words(Section s) throws LoadException {
        if (s.size() % 8 != 0) throw error(s.name(), "size " + s.size() + " is not a multiple of the instruction size 8");
        long[] w = new long[(int) (s.size() / 8)];
        for (int i = 0; i < w.length; i++) w[i] = le.getLong((int) (s.offset() + 8L * i));
        return w;
    }

    List<Section> sections() { return sections; }

    List<Symbol> symbols() { return symbols; }

    Section symtab() { return symtab; }

    Section section(int index) { return sections.get(index); }

    private String string(StringTable table, String what, long off) throws LoadException {
        try {
            return table.get(off);
        } catch (StringTable.Bad e) {
            throw error(what + ": " + e.getMessage());
        }
    }

    private boolean inFile(long offset, long size) {
        return offset >= 0 && size >= 0 && offset <= file.length && size <= file.length - offset;
    }

    private int u16(int off) {
        return Short.toUnsignedInt(le.getShort(off));
    }
}
