package org.obpf.api.jit.code;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Function;
import org.obpf.api.jit.RelocatableImage;
import org.obpf.api.jit.Relocation;
import org.obpf.api.jit.Symbol;

/**
 * The ELF relocatable object ({@code ET_REL}, little-endian, ELFCLASS32 or ELFCLASS64) that every
 * back-end's {@link ObjectWriter} writes: {@code .text}, {@code .rela.text} with the image's
 * relocations (the arch's ELF relocation numbers), {@code .symtab}/{@code .strtab} with the entry
 * as a global function, each further sub-program as a local function, and every symbol the code
 * refers to as an undefined global named by {@link #symbolName}; an empty {@code .note.GNU-stack}
 * (no executable stack); then any sections the arch adds (RISC-V's {@code .riscv.attributes}).
 *
 * @param elf64      ELFCLASS64 rather than ELFCLASS32
 * @param machine    {@code e_machine} ({@code EM_X86_64} = 62, {@code EM_RISCV} = 243)
 * @param flags      {@code e_flags}
 * @param textAlign  {@code .text}'s alignment
 * @param localLabel for relocations that must name a local label in {@code .text} rather than
 *                   their symbol (RISC-V's {@code R_RISCV_PCREL_LO12_*} name the {@code auipc} of
 *                   their high part): the label's offset, which the image keeps as the addend; the
 *                   relocation is then written against the label with addend 0
 * @param labelPrefix the local labels' names: the prefix, then the offset in decimal
 * @param extra      sections after the standard ones
 */
public record ElfRelocatable(boolean elf64, int machine, int flags, int textAlign,
                             Function<Relocation, OptionalLong> localLabel, String labelPrefix, List<Section> extra) {
    public static final int ET_REL = 1;
    public static final int SHT_PROGBITS = 1, SHT_SYMTAB = 2, SHT_STRTAB = 3, SHT_RELA = 4;
    static final int SHF_ALLOC = 2, SHF_EXECINSTR = 4, SHF_INFO_LINK = 0x40;
    static final int STB_LOCAL = 0, STB_GLOBAL = 1;
    static final int STT_NOTYPE = 0, STT_FUNC = 2, STT_SECTION = 3;
    private static final int SHSTRTAB = 5; // section index of .shstrtab

    /** A section the arch adds, written as is. */
    public record Section(String name, int type, byte[] data) {}

    public ElfRelocatable {
        extra = List.copyOf(extra);
    }

    /** An object with no local labels and no extra sections. */
    public ElfRelocatable(boolean elf64, int machine, int flags, int textAlign) {
        this(elf64, machine, flags, textAlign, r -> OptionalLong.empty(), ".L", List.of());
    }

    /** The ELF symbol name of a relocation's symbol. */
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

    /** The object file for {@code image}, its entry a global function named {@code entryName}. */
    public byte[] write(RelocatableImage image, String entryName) {
        byte[] text = image.code();
        int[] subprogs = image.subprogOffsets();
        // Symbols: null, .text section, local sub-programs and labels, then globals (entry, undefined references).
        List<Sym> syms = new ArrayList<>();
        syms.add(new Sym("", 0, 0, 0, 0));
        syms.add(new Sym("", STB_LOCAL << 4 | STT_SECTION, 1, 0, 0));
        for (int i = 1; i < subprogs.length; i++) {
            long end = i + 1 < subprogs.length ? subprogs[i + 1] : text.length;
            syms.add(new Sym(entryName + "_subprog_" + i, STB_LOCAL << 4 | STT_FUNC, 1, subprogs[i], end - subprogs[i]));
        }
        Map<Long, Integer> labels = new LinkedHashMap<>();
        for (Relocation r : image.relocations()) {
            OptionalLong at = localLabel.apply(r);
            if (at.isPresent() && !labels.containsKey(at.getAsLong())) {
                labels.put(at.getAsLong(), syms.size());
                syms.add(new Sym(labelPrefix + at.getAsLong(), STB_LOCAL << 4 | STT_NOTYPE, 1, at.getAsLong(), 0));
            }
        }
        int firstGlobal = syms.size();
        long entryEnd = subprogs.length > 1 ? subprogs[1] : text.length;
        syms.add(new Sym(entryName, STB_GLOBAL << 4 | STT_FUNC, 1, subprogs[0], entryEnd - subprogs[0]));
        Map<Symbol, Integer> index = new LinkedHashMap<>();
        for (Relocation r : image.relocations()) {
            Symbol s = r.symbol();
            if (localLabel.apply(r).isPresent()) continue;
            if (s.kind() == Symbol.Kind.IMAGE) {
                index.putIfAbsent(s, 1);
            } else if (!index.containsKey(s)) {
                index.put(s, syms.size());
                syms.add(new Sym(symbolName(s), STB_GLOBAL << 4 | STT_NOTYPE, 0, 0, 0));
            }
        }
        ByteArrayOutputStream strtab = new ByteArrayOutputStream();
        strtab.write(0);
        int[] nameOff = new int[syms.size()];
        for (int i = 0; i < syms.size(); i++) {
            if (syms.get(i).name.isEmpty()) continue;
            nameOff[i] = strtab.size();
            strtab.writeBytes((syms.get(i).name + "\0").getBytes(StandardCharsets.US_ASCII));
        }
        List<String> sectionNames = new ArrayList<>(List.of("", ".text", ".rela.text", ".symtab", ".strtab", ".shstrtab", ".note.GNU-stack"));
        for (Section s : extra) sectionNames.add(s.name());
        ByteArrayOutputStream shstrtab = new ByteArrayOutputStream();
        int[] shName = new int[sectionNames.size()];
        shstrtab.write(0);
        for (int i = 1; i < sectionNames.size(); i++) {
            shName[i] = shstrtab.size();
            shstrtab.writeBytes((sectionNames.get(i) + "\0").getBytes(StandardCharsets.US_ASCII));
        }
        int relaSize = elf64 ? 24 : 12;
        int symSize = elf64 ? 24 : 16;
        ByteBuffer rela = le(image.relocations().size() * relaSize);
        for (Relocation r : image.relocations()) {
            OptionalLong at = localLabel.apply(r);
            int sym = at.isPresent() ? labels.get(at.getAsLong()) : index.get(r.symbol());
            long addend = at.isPresent() ? 0 : r.addend();
            if (elf64) {
                rela.putLong(r.offset());
                rela.putLong((long) sym << 32 | (r.type() & 0xffffffffL));
                rela.putLong(addend);
            } else {
                rela.putInt(r.offset());
                rela.putInt(sym << 8 | (r.type() & 0xff));
                rela.putInt((int) addend);
            }
        }
        ByteBuffer symtab = le(syms.size() * symSize);
        for (int i = 0; i < syms.size(); i++) {
            Sym s = syms.get(i);
            symtab.putInt(nameOff[i]);
            if (elf64) {
                symtab.put((byte) s.info);
                symtab.put((byte) 0);
                symtab.putShort((short) s.shndx);
                symtab.putLong(s.value);
                symtab.putLong(s.size);
            } else {
                symtab.putInt((int) s.value);
                symtab.putInt((int) s.size);
                symtab.put((byte) s.info);
                symtab.put((byte) 0);
                symtab.putShort((short) s.shndx);
            }
        }
        List<byte[]> data = new ArrayList<>(List.of(new byte[0], text, rela.array(), symtab.array(), strtab.toByteArray(), shstrtab.toByteArray(), new byte[0]));
        for (Section s : extra) data.add(s.data());
        int ehSize = elf64 ? 64 : 52;
        int shSize = elf64 ? 64 : 40;
        long[] off = new long[data.size()];
        long pos = ehSize;
        for (int i = 1; i < data.size(); i++) {
            pos = (pos + 15) & ~15L;
            off[i] = pos;
            pos += data.get(i).length;
        }
        long shoff = (pos + 7) & ~7L;
        ByteBuffer out = le((int) (shoff + (long) shSize * data.size()));
        out.put(new byte[] {0x7f, 'E', 'L', 'F', (byte) (elf64 ? 2 : 1), 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0});
        out.putShort((short) ET_REL);
        out.putShort((short) machine);
        out.putInt(1);
        word(out, 0); // e_entry
        word(out, 0); // e_phoff
        word(out, shoff);
        out.putInt(flags);
        out.putShort((short) ehSize);
        out.putShort((short) 0);
        out.putShort((short) 0);
        out.putShort((short) shSize);
        out.putShort((short) data.size());
        out.putShort((short) SHSTRTAB);
        for (int i = 1; i < data.size(); i++) out.put((int) off[i], data.get(i));
        out.position((int) shoff);
        out.put(new byte[shSize]); // null section
        int wordAlign = elf64 ? 8 : 4;
        section(out, shName[1], SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, off[1], text.length, 0, 0, textAlign, 0);
        section(out, shName[2], SHT_RELA, SHF_INFO_LINK, off[2], data.get(2).length, 3, 1, wordAlign, relaSize);
        section(out, shName[3], SHT_SYMTAB, 0, off[3], data.get(3).length, 4, firstGlobal, wordAlign, symSize);
        section(out, shName[4], SHT_STRTAB, 0, off[4], data.get(4).length, 0, 0, 1, 0);
        section(out, shName[SHSTRTAB], SHT_STRTAB, 0, off[5], data.get(5).length, 0, 0, 1, 0);
        section(out, shName[6], SHT_PROGBITS, 0, off[6], 0, 0, 0, 1, 0);
        for (int i = 0; i < extra.size(); i++) {
            int k = 7 + i;
            section(out, shName[k], extra.get(i).type(), 0, off[k], data.get(k).length, 0, 0, 1, 0);
        }
        return out.array();
    }

    private void word(ByteBuffer b, long v) {
        if (elf64) b.putLong(v);
        else b.putInt((int) v);
    }

    private void section(ByteBuffer b, int name, int type, long flags, long offset, long size, int link, int info,
                         long align, long entsize) {
        b.putInt(name);
        b.putInt(type);
        word(b, flags);
        word(b, 0); // sh_addr
        word(b, offset);
        word(b, size);
        b.putInt(link);
        b.putInt(info);
        word(b, align);
        word(b, entsize);
    }

    /** A little-endian buffer of {@code size} bytes. */
    public static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }
}
