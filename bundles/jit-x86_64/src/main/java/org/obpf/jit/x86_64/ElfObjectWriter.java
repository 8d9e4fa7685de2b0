package org.obpf.jit.x86_64;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.obpf.api.jit.JitBackend;
import org.obpf.api.jit.RelocatableImage;
import org.obpf.api.jit.Relocation;
import org.obpf.api.jit.Symbol;
import org.obpf.api.jit.code.ObjectWriter;
import org.osgi.service.component.annotations.Component;

/**
 * Writes an x86-64 {@link RelocatableImage} as an ELF64 relocatable object ({@code ET_REL},
 * {@code EM_X86_64}): {@code .text}, {@code .rela.text} with the image's relocations (their
 * types are already {@code R_X86_64_*}), {@code .symtab}/{@code .strtab} with the entry as a
 * global function, each further sub-program as a local function, and every symbol the code
 * refers to as an undefined global: {@code bpf_helper_<id>}, {@code bpf_map_<index>},
 * {@code bpf_map_value_<index>}, {@code bpf_kfunc_<id>} and runtime routines by name
 * ({@code bpf_tail_call}). The system linker then binds it exactly as {@link
 * X86_64JitBackend#link} does; the code follows {@link org.obpf.api.jit.code.HostAbi}.
 */
@Component(property = JitBackend.ARCH + "=" + X86_64JitBackend.ARCH)
public final class ElfObjectWriter implements ObjectWriter {
    static final int EM_X86_64 = 62;
    static final int ET_REL = 1;
    static final int SHT_PROGBITS = 1, SHT_SYMTAB = 2, SHT_STRTAB = 3, SHT_RELA = 4;
    static final int SHF_ALLOC = 2, SHF_EXECINSTR = 4, SHF_INFO_LINK = 0x40;
    static final int STB_LOCAL = 0, STB_GLOBAL = 1;
    static final int STT_NOTYPE = 0, STT_FUNC = 2, STT_SECTION = 3;

    @Override
    public String arch() {
        return X86_64JitBackend.ARCH;
    }

    /** The ELF symbol name for a relocation's symbol. */
    public static String symbolName(Symbol s) {
        return switch (s.kind()) {
            case MAP -> "bpf_map_" + s.index();
            case MAP_VALUE -> "bpf_map_value_" + s.index();
            case HELPER -> "bpf_helper_" + s.index();
            case KFUNC -> "bpf_kfunc_" + s.index();
            case SUBPROG -> "bpf_subprog_" + s.index();
            case IMAGE -> ".text";
            case RUNTIME -> s.name();
        };
    }

    private record Sym(String name, int info, int shndx, long value, long size) {}

    @Override
    public byte[] write(RelocatableImage image, String entryName) {
        if (!X86_64JitBackend.ARCH.equals(image.arch())) {
            throw new IllegalArgumentException("image was compiled for " + image.arch() + ", not x86_64");
        }
        byte[] text = image.code();
        int[] subprogs = image.subprogOffsets();
        // Symbols: null, .text section, local sub-programs, then globals (entry, undefined references).
        List<Sym> syms = new ArrayList<>();
        syms.add(new Sym("", 0, 0, 0, 0));
        syms.add(new Sym("", STB_LOCAL << 4 | STT_SECTION, 1, 0, 0));
        for (int i = 1; i < subprogs.length; i++) {
            long end = i + 1 < subprogs.length ? subprogs[i + 1] : text.length;
            syms.add(new Sym(entryName + "_subprog_" + i, STB_LOCAL << 4 | STT_FUNC, 1, subprogs[i], end - subprogs[i]));
        }
        int firstGlobal = syms.size();
        long entryEnd = subprogs.length > 1 ? subprogs[1] : text.length;
        syms.add(new Sym(entryName, STB_GLOBAL << 4 | STT_FUNC, 1, subprogs[0], entryEnd - subprogs[0]));
        Map<Symbol, Integer> index = new LinkedHashMap<>();
        for (Relocation r : image.relocations()) {
            Symbol s = r.symbol();
            if (s.kind() == Symbol.Kind.IMAGE) {
                index.putIfAbsent(s, 1);
            } else if (!index.containsKey(s)) {
                index.put(s, syms.size());
                syms.add(new Sym(symbolName(s), STB_GLOBAL << 4 | STT_NOTYPE, 0, 0, 0));
            }
        }
        // String tables.
        ByteArrayOutputStream strtab = new ByteArrayOutputStream();
        strtab.write(0);
        int[] nameOff = new int[syms.size()];
        for (int i = 0; i < syms.size(); i++) {
            if (syms.get(i).name.isEmpty()) continue;
            nameOff[i] = strtab.size();
            strtab.writeBytes((syms.get(i).name + "\0").getBytes(StandardCharsets.US_ASCII));
        }
        String[] sectionNames = {"", ".text", ".rela.text", ".symtab", ".strtab", ".shstrtab", ".note.GNU-stack"};
        ByteArrayOutputStream shstrtab = new ByteArrayOutputStream();
        int[] shName = new int[sectionNames.length];
        shstrtab.write(0);
        for (int i = 1; i < sectionNames.length; i++) {
            shName[i] = shstrtab.size();
            shstrtab.writeBytes((sectionNames[i] + "\0").getBytes(StandardCharsets.US_ASCII));
        }
        ByteBuffer rela = le(image.relocations().size() * 24);
        for (Relocation r : image.relocations()) {
            rela.putLong(r.offset());
            rela.putLong((long) index.get(r.symbol()) << 32 | (r.type() & 0xffffffffL));
            rela.putLong(r.addend());
        }
        ByteBuffer symtab = le(syms.size() * 24);
        for (int i = 0; i < syms.size(); i++) {
            Sym s = syms.get(i);
            symtab.putInt(nameOff[i]);
            symtab.put((byte) s.info);
            symtab.put((byte) 0);
            symtab.putShort((short) s.shndx);
            symtab.putLong(s.value);
            symtab.putLong(s.size);
        }
        // Layout: header, .text (16-aligned), .rela.text, .symtab (8-aligned), .strtab, .shstrtab, section headers.
        byte[][] data = {null, text, rela.array(), symtab.array(), strtab.toByteArray(), shstrtab.toByteArray(), new byte[0]};
        long[] off = new long[data.length];
        long pos = 64;
        for (int i = 1; i < data.length; i++) {
            pos = (pos + 15) & ~15L;
            off[i] = pos;
            pos += data[i].length;
        }
        long shoff = (pos + 7) & ~7L;
        ByteBuffer out = le((int) (shoff + 64L * data.length));
        // ELF header
        out.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0});
        out.putShort((short) ET_REL);
        out.putShort((short) EM_X86_64);
        out.putInt(1);
        out.putLong(0); // e_entry
        out.putLong(0); // e_phoff
        out.putLong(shoff);
        out.putInt(0); // e_flags
        out.putShort((short) 64);
        out.putShort((short) 0);
        out.putShort((short) 0);
        out.putShort((short) 64);
        out.putShort((short) data.length);
        out.putShort((short) 5); // .shstrtab
        for (int i = 1; i < data.length; i++) out.put((int) off[i], data[i]);
        out.position((int) shoff);
        out.put(new byte[64]); // null section
        section(out, shName[1], SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, off[1], text.length, 0, 0, 16, 0);
        section(out, shName[2], SHT_RELA, SHF_INFO_LINK, off[2], data[2].length, 3, 1, 8, 24);
        section(out, shName[3], SHT_SYMTAB, 0, off[3], data[3].length, 4, firstGlobal, 8, 24);
        section(out, shName[4], SHT_STRTAB, 0, off[4], data[4].length, 0, 0, 1, 0);
        section(out, shName[5], SHT_STRTAB, 0, off[5], data[5].length, 0, 0, 1, 0);
        section(out, shName[6], SHT_PROGBITS, 0, off[6], 0, 0, 0, 1, 0);
        return out.array();
    }

    private static void section(ByteBuffer b, int name, int type, long flags, long offset, long size, int link, int info,
                                long align, long entsize) {
        b.putInt(name);
        b.putInt(type);
        b.putLong(flags);
        b.putLong(0); // sh_addr
        b.putLong(offset);
        b.putLong(size);
        b.putInt(link);
        b.putInt(info);
        b.putLong(align);
        b.putLong(entsize);
    }

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }
}
