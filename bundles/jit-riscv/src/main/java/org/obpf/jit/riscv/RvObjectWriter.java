package org.obpf.jit.riscv;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.obpf.api.jit.RelocatableImage;
import org.obpf.api.jit.Relocation;
import org.obpf.api.jit.Symbol;
import org.obpf.api.jit.code.ObjectWriter;

/**
 * Writes a RISC-V {@link RelocatableImage} as an ELF relocatable object ({@code ET_REL},
 * {@code EM_RISCV}; ELFCLASS64 for riscv64, ELFCLASS32 for riscv32): {@code .text},
 * {@code .rela.text} with the image's {@code R_RISCV_*} relocations, {@code .symtab}/{@code .strtab}
 * with the entry as a global function, each further sub-program as a local function, a local
 * {@code .Lpcrel_hi<offset>} label at each {@code auipc} that a {@code R_RISCV_PCREL_LO12_*} refers
 * to, and every symbol the code refers to as an undefined global: {@code bpf_helper_<id>},
 * {@code bpf_map_<index>}, {@code bpf_map_value_<index>}, {@code bpf_kfunc_<id>} and runtime
 * routines by name ({@code bpf_tail_call}). {@code e_flags} says RVC when the code has compressed
 * instructions, soft-float ABI; {@code .riscv.attributes} names the ISA (with Zba/Zbb when used) so
 * that objdump decodes every instruction and GNU ld links it with C code built for
 * {@code -march=rv64imac -mabi=lp64} (or {@code rv32imac}/{@code ilp32}).
 */
public abstract class RvObjectWriter implements ObjectWriter {
    static final int EM_RISCV = 243;
    static final int ET_REL = 1;
    static final int EF_RISCV_RVC = 1;
    static final int SHT_PROGBITS = 1, SHT_SYMTAB = 2, SHT_STRTAB = 3, SHT_RELA = 4, SHT_RISCV_ATTRIBUTES = 0x70000003;
    static final int SHF_ALLOC = 2, SHF_EXECINSTR = 4, SHF_INFO_LINK = 0x40;
    static final int STB_LOCAL = 0, STB_GLOBAL = 1;
    static final int STT_NOTYPE = 0, STT_FUNC = 2, STT_SECTION = 3;
    private static final Set<String> ZBA = Set.of("sh1add", "sh2add", "sh3add", "add.uw");
    private static final Set<String> ZBB = Set.of("andn", "orn", "xnor", "sext.b", "sext.h", "zext.h", "rev8");

    private final boolean rv64;

    RvObjectWriter(boolean rv64) {
        this.rv64 = rv64;
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
        if (!arch().equals(image.arch())) throw new IllegalArgumentException("image was compiled for " + image.arch() + ", not " + arch());
        byte[] text = image.code();
        int[] subprogs = image.subprogOffsets();
        List<Sym> syms = new ArrayList<>();
        syms.add(new Sym("", 0, 0, 0, 0));
        syms.add(new Sym("", STB_LOCAL << 4 | STT_SECTION, 1, 0, 0));
        for (int i = 1; i < subprogs.length; i++) {
            long end = i + 1 < subprogs.length ? subprogs[i + 1] : text.length;
            syms.add(new Sym(entryName + "_subprog_" + i, STB_LOCAL << 4 | STT_FUNC, 1, subprogs[i], end - subprogs[i]));
        }
        // PC-relative low parts refer to the auipc of their high part through a local label.
        Map<Long, Integer> pcrelLabel = new LinkedHashMap<>();
        for (Relocation r : image.relocations()) {
            if (isPcrelLo(r) && !pcrelLabel.containsKey(r.addend())) {
                pcrelLabel.put(r.addend(), syms.size());
                syms.add(new Sym(".Lpcrel_hi" + r.addend(), STB_LOCAL << 4 | STT_NOTYPE, 1, r.addend(), 0));
            }
        }
        int firstGlobal = syms.size();
        long entryEnd = subprogs.length > 1 ? subprogs[1] : text.length;
        syms.add(new Sym(entryName, STB_GLOBAL << 4 | STT_FUNC, 1, subprogs[0], entryEnd - subprogs[0]));
        Map<Symbol, Integer> index = new LinkedHashMap<>();
        for (Relocation r : image.relocations()) {
            Symbol s = r.symbol();
            if (isPcrelLo(r)) continue;
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
        String[] sectionNames = {"", ".text", ".rela.text", ".symtab", ".strtab", ".shstrtab", ".note.GNU-stack", ".riscv.attributes"};
        ByteArrayOutputStream shstrtab = new ByteArrayOutputStream();
        int[] shName = new int[sectionNames.length];
        shstrtab.write(0);
        for (int i = 1; i < sectionNames.length; i++) {
            shName[i] = shstrtab.size();
            shstrtab.writeBytes((sectionNames[i] + "\0").getBytes(StandardCharsets.US_ASCII));
        }
        int relaSize = rv64 ? 24 : 12;
        int symSize = rv64 ? 24 : 16;
        ByteBuffer rela = le(image.relocations().size() * relaSize);
        for (Relocation r : image.relocations()) {
            int sym = isPcrelLo(r) ? pcrelLabel.get(r.addend()) : index.get(r.symbol());
            long addend = isPcrelLo(r) ? 0 : r.addend();
            if (rv64) {
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
            if (rv64) {
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
        boolean[] uses = usage(text);
        byte[] attributes = attributes(uses[1], uses[2]);
        byte[][] data = {null, text, rela.array(), symtab.array(), strtab.toByteArray(), shstrtab.toByteArray(), new byte[0], attributes};
        int ehSize = rv64 ? 64 : 52;
        int shSize = rv64 ? 64 : 40;
        long[] off = new long[data.length];
        long pos = ehSize;
        for (int i = 1; i < data.length; i++) {
            pos = (pos + 15) & ~15L;
            off[i] = pos;
            pos += data[i].length;
        }
        long shoff = (pos + 7) & ~7L;
        ByteBuffer out = le((int) (shoff + (long) shSize * data.length));
        out.put(new byte[] {0x7f, 'E', 'L', 'F', (byte) (rv64 ? 2 : 1), 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0});
        out.putShort((short) ET_REL);
        out.putShort((short) EM_RISCV);
        out.putInt(1);
        if (rv64) {
            out.putLong(0); // e_entry
            out.putLong(0); // e_phoff
            out.putLong(shoff);
        } else {
            out.putInt(0);
            out.putInt(0);
            out.putInt((int) shoff);
        }
        out.putInt(uses[0] ? EF_RISCV_RVC : 0); // soft-float ABI
        out.putShort((short) ehSize);
        out.putShort((short) 0);
        out.putShort((short) 0);
        out.putShort((short) shSize);
        out.putShort((short) data.length);
        out.putShort((short) 5); // .shstrtab
        for (int i = 1; i < data.length; i++) out.put((int) off[i], data[i]);
        out.position((int) shoff);
        out.put(new byte[shSize]); // null section
        section(out, shName[1], SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, off[1], text.length, 0, 0, 4, 0);
        section(out, shName[2], SHT_RELA, SHF_INFO_LINK, off[2], data[2].length, 3, 1, rv64 ? 8 : 4, relaSize);
        section(out, shName[3], SHT_SYMTAB, 0, off[3], data[3].length, 4, firstGlobal, rv64 ? 8 : 4, symSize);
        section(out, shName[4], SHT_STRTAB, 0, off[4], data[4].length, 0, 0, 1, 0);
        section(out, shName[5], SHT_STRTAB, 0, off[5], data[5].length, 0, 0, 1, 0);
        section(out, shName[6], SHT_PROGBITS, 0, off[6], 0, 0, 0, 1, 0);
        section(out, shName[7], SHT_RISCV_ATTRIBUTES, 0, off[7], data[7].length, 0, 0, 1, 0);
        return out.array();
    }

    private static boolean isPcrelLo(Relocation r) {
        return r.type() == RvRelocations.R_RISCV_PCREL_LO12_I || r.type() == RvRelocations.R_RISCV_PCREL_LO12_S;
    }

    /** {compressed, zba, zbb}: which optional parts of the ISA the code uses. */
    private boolean[] usage(byte[] text) {
        boolean[] u = new boolean[3];
        RvDisassembler dis = rv64 ? new Rv64Disassembler() : new Rv32Disassembler();
        for (RvDisassembler.Instruction i : dis.decodeAll(text, 0)) {
            if (i.length() == 2) u[0] = true;
            String mnemonic = i.text().split("\t", 2)[0];
            if (ZBA.contains(mnemonic)) u[1] = true;
            if (ZBB.contains(mnemonic)) u[2] = true;
        }
        return u;
    }

    /** The {@code .riscv.attributes} section: stack alignment 16 and the ISA string, as gcc writes them. */
    private byte[] attributes(boolean zba, boolean zbb) {
        String isa = (rv64 ? "rv64" : "rv32") + "i2p1_m2p0_a2p1_c2p0_zmmul1p0" + (zba ? "_zba1p0" : "") + (zbb ? "_zbb1p0" : "");
        byte[] arch = (isa + "\0").getBytes(StandardCharsets.US_ASCII);
        int fileLen = 1 + 4 + 2 + 1 + arch.length; // tag, size, stack_align, arch tag + string
        int subLen = 4 + 6 + fileLen; // size, "riscv\0", file attributes
        ByteBuffer b = le(1 + subLen);
        b.put((byte) 'A');
        b.putInt(subLen);
        b.put("riscv\0".getBytes(StandardCharsets.US_ASCII));
        b.put((byte) 1); // Tag_File
        b.putInt(fileLen);
        b.put((byte) 4).put((byte) 16); // Tag_RISCV_stack_align: 16
        b.put((byte) 5).put(arch); // Tag_RISCV_arch
        return b.array();
    }

    private void section(ByteBuffer b, int name, int type, long flags, long offset, long size, int link, int info,
                         long align, long entsize) {
        b.putInt(name);
        b.putInt(type);
        if (rv64) {
            b.putLong(flags);
            b.putLong(0); // sh_addr
            b.putLong(offset);
            b.putLong(size);
            b.putInt(link);
            b.putInt(info);
            b.putLong(align);
            b.putLong(entsize);
        } else {
            b.putInt((int) flags);
            b.putInt(0);
            b.putInt((int) offset);
            b.putInt((int) size);
            b.putInt(link);
            b.putInt(info);
            b.putInt((int) align);
            b.putInt((int) entsize);
        }
    }

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }
}
