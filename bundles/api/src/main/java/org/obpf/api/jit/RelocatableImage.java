package org.obpf.api.jit;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What {@link JitBackend#compile} produces: position-independent code where the arch's ranges
 * allow, plus every external reference as a {@link Relocation}. Nothing in it depends on where
 * the code will run; {@link JitBackend#link} binds it to addresses.
 *
 * @param arch           the {@code bpf.arch} of the back-end that made it
 * @param code           the machine code (a copy is kept; never modified in place)
 * @param relocations    every reference to be bound by link, in code order
 * @param subprogOffsets byte offset of each sub-program's entry; index 0 is the program entry
 * @param insnOffsets    byte offset of the code for each BPF instruction, plus one final entry
 *                       for the end of the code; for disassembly and fault reporting
 */
public record RelocatableImage(String arch, byte[] code, List<Relocation> relocations,
                               int[] subprogOffsets, int[] insnOffsets) {
    public RelocatableImage {
        Objects.requireNonNull(arch, "arch");
        code = code.clone();
        relocations = List.copyOf(relocations);
        subprogOffsets = subprogOffsets.clone();
        insnOffsets = insnOffsets.clone();
        if (subprogOffsets.length == 0) throw new IllegalArgumentException("an image needs an entry point");
        for (int off : subprogOffsets) {
            if (off < 0 || off >= Math.max(code.length, 1)) {
                throw new IllegalArgumentException("sub-program entry " + off + " outside code of " + code.length + " bytes");
            }
        }
        for (Relocation r : relocations) {
            if (r.offset() >= code.length) {
                throw new IllegalArgumentException("relocation " + r + " outside code of " + code.length + " bytes");
            }
        }
    }

    @Override
    public byte[] code() {
        return code.clone();
    }

    @Override
    public int[] subprogOffsets() {
        return subprogOffsets.clone();
    }

    @Override
    public int[] insnOffsets() {
        return insnOffsets.clone();
    }

    public int size() {
        return code.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RelocatableImage r && arch.equals(r.arch) && Arrays.equals(code, r.code)
                && relocations.equals(r.relocations) && Arrays.equals(subprogOffsets, r.subprogOffsets)
                && Arrays.equals(insnOffsets, r.insnOffsets);
    }

    @Override
    public int hashCode() {
        return Objects.hash(arch, Arrays.hashCode(code), relocations);
    }

    @Override
    public String toString() {
        return "RelocatableImage[" + arch + ", " + code.length + " bytes, " + relocations.size() + " relocations, "
                + subprogOffsets.length + " sub-programs]";
    }
}
