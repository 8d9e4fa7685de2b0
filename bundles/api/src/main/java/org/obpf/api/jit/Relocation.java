package org.obpf.api.jit;

import java.util.Objects;

/**
 * One external reference in a {@link RelocatableImage}: at {@code offset} in the code, a field
 * of the arch's relocation {@code type} must receive {@code S + A} (symbol address plus addend)
 * or, for PC-relative types, {@code S + A - P}. Types are the arch's ELF relocation numbers where
 * the arch has them ({@code R_X86_64_PC32} = 2, {@code R_RISCV_CALL} = 18), so an image can be
 * written as an ELF object that the system linker binds the same way as {@link JitBackend#link}.
 *
 * @param offset   byte offset in the code of the instruction or field to patch
 * @param type     the arch's relocation type number
 * @param typeName the type's name for dumps ({@code R_X86_64_PC32})
 * @param symbol   what the reference points to
 * @param addend   the constant added to the symbol's address
 */
public record Relocation(int offset, int type, String typeName, Symbol symbol, long addend) {
    public Relocation {
        if (offset < 0) throw new IllegalArgumentException("negative relocation offset " + offset);
        Objects.requireNonNull(typeName, "typeName");
        Objects.requireNonNull(symbol, "symbol");
    }

    @Override
    public String toString() {
        String a = addend == 0 ? "" : addend > 0 ? "+0x" + Long.toHexString(addend) : "-0x" + Long.toHexString(-addend);
        return String.format("%08x %s %s%s", offset, typeName, symbol, a);
    }
}
