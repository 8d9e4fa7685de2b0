package org.obpf.api.jit.code;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import org.obpf.api.jit.RelocatableImage;
import org.obpf.api.jit.Relocation;

/**
 * Disassembles one back-end's machine code, for {@code dump jited}. Registered as a service with
 * {@link org.obpf.api.jit.JitBackend#ARCH} by the bundle of the back-end whose output it reads.
 */
public interface MachineDisassembler {

    /** The architecture whose code it reads. */
    String arch();

    /**
     * One line per instruction: {@code address: bytes  mnemonic operands}, branch targets as
     * absolute addresses, in the syntax of the arch's usual disassembler.
     *
     * @param code    the machine code
     * @param address the address of {@code code[0]} (0 for an unlinked image)
     * @throws IllegalArgumentException at bytes that are not an instruction this disassembler knows
     */
    List<String> disassemble(byte[] code, long address);

    /**
     * What {@code bpftool prog dump jited} shows, for an image: the code of each BPF instruction
     * under a {@code ; insn N} line (an {@code exit} that ends a sub-program owns its epilogue),
     * the entry stub under {@code ; entry}, each further sub-program as {@code <subprog N>:} with
     * its {@code ; prologue}, code after the last instruction under {@code ; out of line}, and
     * each relocation after the code that holds it as {@code ; R_TYPE symbol+addend}.
     *
     * @param address where the image is (or will be) loaded; 0 for an unlinked image
     */
    default List<String> listing(RelocatableImage image, long address) {
        byte[] code = image.code();
        int[] insn = image.insnOffsets();
        int[] subprogs = image.subprogOffsets();
        int n = insn.length - 1;
        TreeMap<Integer, List<String>> marks = new TreeMap<>();
        marks.put(0, List.of("; entry"));
        for (int i = 0; i < n; i++) {
            if (insn[i + 1] > insn[i]) marks.put(insn[i], List.of("; insn " + i));
        }
        for (int s = 1; s < subprogs.length; s++) marks.put(subprogs[s], List.of("<subprog " + s + ">:", "; prologue"));
        if (n >= 0 && insn[n] < code.length) marks.put(insn[n], List.of("; out of line"));
        List<String> out = new ArrayList<>();
        for (var e : marks.entrySet()) {
            int start = e.getKey();
            Integer next = marks.higherKey(start);
            int end = next == null ? code.length : next;
            if (end <= start) continue;
            out.addAll(e.getValue());
            out.addAll(disassemble(Arrays.copyOfRange(code, start, end), address + start));
            for (Relocation rel : image.relocations()) {
                if (rel.offset() >= start && rel.offset() < end) {
                    long a = rel.addend();
                    out.add("; " + rel.typeName() + " " + rel.symbol()
                            + (a == 0 ? "" : a > 0 ? "+0x" + Long.toHexString(a) : "-0x" + Long.toHexString(-a)));
                }
            }
        }
        return out;
    }
}
