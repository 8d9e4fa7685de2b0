package org.obpf.api.jit;

import java.util.Objects;
import org.obpf.api.prog.ProgramType;

/**
 * A verified, prelinked program handed to a back-end.
 *
 * <p>Instructions are 8-byte slots in the kernel's layout ({@link org.obpf.api.insn.Insn}).
 * After core's prelink passes, external references are symbolic and become relocations:
 * <ul>
 * <li>{@code lddw} with src {@code BPF_PSEUDO_MAP_IDX} (5): the map at index {@code imm} of
 *     the program's map table, {@link Symbol#map(int)};</li>
 * <li>{@code lddw} with src {@code BPF_PSEUDO_MAP_IDX_VALUE} (6): that map's value plus the
 *     offset in the second slot's {@code imm}, {@link Symbol#mapValue(int)};</li>
 * <li>{@code call} with src 0: the helper with id {@code imm}, {@link Symbol#helper(int)};</li>
 * <li>{@code call} with src {@code BPF_PSEUDO_CALL} (1): a sub-program, PC-relative
 *     ({@code imm} is the distance in slots minus one, as in the ISA);</li>
 * <li>{@code lddw} with src 0 is a plain 64-bit constant.</li>
 * </ul>
 *
 * @param name          program name, for messages
 * @param type          program type
 * @param insns         the instruction slots
 * @param subprogStarts slot index of each sub-program; index 0 is 0 (the main program)
 * @param stackDepth    bytes of stack each sub-program uses (from the verifier), or null for
 *                      {@code MAX_BPF_STACK} each
 * @param zextInserted  true when the verifier already made 32-bit zero extension explicit
 *                      (the back-end answered {@link JitBackend#needsZext()} true)
 * @param options       code generation options
 */
public record CompileRequest(String name, ProgramType type, long[] insns, int[] subprogStarts, int[] stackDepth,
                             boolean zextInserted, CompileOptions options) {
    public CompileRequest {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        insns = insns.clone();
        subprogStarts = subprogStarts == null || subprogStarts.length == 0 ? new int[] {0} : subprogStarts.clone();
        stackDepth = stackDepth == null ? null : stackDepth.clone();
        options = options == null ? CompileOptions.DEFAULT : options;
        if (insns.length == 0) throw new IllegalArgumentException("program " + name + " has no instructions");
        if (subprogStarts[0] != 0) throw new IllegalArgumentException("sub-program 0 must start at slot 0");
        if (stackDepth != null && stackDepth.length != subprogStarts.length) {
            throw new IllegalArgumentException("stack depth given for " + stackDepth.length + " of "
                    + subprogStarts.length + " sub-programs");
        }
    }

    /** A single-function program with default options. */
    public static CompileRequest of(String name, ProgramType type, long[] insns) {
        return new CompileRequest(name, type, insns, null, null, false, CompileOptions.DEFAULT);
    }

    @Override
    public long[] insns() {
        return insns.clone();
    }

    @Override
    public int[] subprogStarts() {
        return subprogStarts.clone();
    }

    @Override
    public int[] stackDepth() {
        return stackDepth == null ? null : stackDepth.clone();
    }

    public CompileRequest withOptions(CompileOptions o) {
        return new CompileRequest(name, type, insns, subprogStarts, stackDepth, zextInserted, o);
    }
}
