package org.obpf.jit.riscv;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import org.obpf.api.jit.RelocatableImage;
import org.obpf.api.jit.Relocation;
import org.obpf.api.jit.code.ElfRelocatable;
import org.obpf.api.jit.code.ObjectWriter;

/**
 * Writes a RISC-V {@link RelocatableImage} as an ELF relocatable object ({@code EM_RISCV};
 * ELFCLASS64 for riscv64, ELFCLASS32 for riscv32; the layout is api's {@link ElfRelocatable}) with
 * the image's {@code R_RISCV_*} relocations and a local {@code .Lpcrel_hi<offset>} label at each
 * {@code auipc} that a {@code R_RISCV_PCREL_LO12_*} refers to. {@code e_flags} says RVC when the
 * code has compressed instructions, soft-float ABI; {@code .riscv.attributes} names the ISA (with
 * Zba/Zbb when used) so that objdump decodes every instruction and GNU ld links it with C code
 * built for {@code -march=rv64imac -mabi=lp64} (or {@code rv32imac}/{@code ilp32}).
 */
public abstract class RvObjectWriter implements ObjectWriter {
    static final int EM_RISCV = 243;
    static final int EF_RISCV_RVC = 1;
    static final int SHT_RISCV_ATTRIBUTES = 0x70000003;
    private static final Set<String> ZBA = Set.of("sh1add", "sh2add", "sh3add", "add.uw");
    private static final Set<String> ZBB = Set.of("andn", "orn", "xnor", "sext.b", "sext.h", "zext.h", "rev8");

    private final boolean rv64;

    RvObjectWriter(boolean rv64) {
        this.rv64 = rv64;
    }

    @Override
    public byte[] write(RelocatableImage image, String entryName) {
        if (!arch().equals(image.arch())) throw new IllegalArgumentException("image was compiled for " + image.arch() + ", not " + arch());
        boolean[] uses = usage(image.code());
        ElfRelocatable object = new ElfRelocatable(rv64, EM_RISCV, uses[0] ? EF_RISCV_RVC : 0 /* soft-float ABI */, 4,
                r -> isPcrelLo(r) ? OptionalLong.of(r.addend()) : OptionalLong.empty(), ".Lpcrel_hi",
                List.of(new ElfRelocatable.Section(".riscv.attributes", SHT_RISCV_ATTRIBUTES, attributes(uses[1], uses[2]))));
        return object.write(image, entryName);
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
        ByteBuffer b = ElfRelocatable.le(1 + subLen);
        b.put((byte) 'A');
        b.putInt(subLen);
        b.put("riscv\0".getBytes(StandardCharsets.US_ASCII));
        b.put((byte) 1); // Tag_File
        b.putInt(fileLen);
        b.put((byte) 4).put((byte) 16); // Tag_RISCV_stack_align: 16
        b.put((byte) 5).put(arch); // Tag_RISCV_arch
        return b.array();
    }
}
