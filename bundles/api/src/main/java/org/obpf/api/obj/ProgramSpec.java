package org.obpf.api.obj;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.obpf.api.prog.ProgramType;

/**
 * One entry-point program of an object, ready for map creation and the verifier.
 *
 * <p>{@link #insns()} holds the program's own instructions followed by every {@code .text}
 * sub-program it calls (directly or not), appended the way libbpf's
 * {@code bpf_object__relocate_calls} does: depth first, in the order of the calls, each once.
 * BPF-to-BPF calls ({@code call} with src {@code BPF_PSEUDO_CALL}) and sub-program address
 * loads ({@code lddw} with src {@code BPF_PSEUDO_FUNC}) carry the offset to their target within
 * this array (target = pc + imm + 1). Map references are {@code lddw} with src
 * {@code BPF_PSEUDO_MAP_IDX} (5) and imm = index in {@link BpfObject#maps()}; references into a
 * map's value (global data) are {@code lddw} with src {@code BPF_PSEUDO_MAP_IDX_VALUE} (6),
 * imm = map index and the second slot's imm = byte offset in the value.
 *
 * @param name               the function's symbol name
 * @param section            the ELF section it came from ({@code xdp}, {@code tracepoint/syscalls/sys_enter_execve})
 * @param type               program type implied by the section name, as libbpf's {@code section_defs}
 * @param expectedAttachType the attach type the section name implies, if it implies one
 * @param sleepable          the section is a sleepable one ({@code syscall}, {@code fentry.s/...})
 * @param sectionOffset      index of the program's first instruction slot within its section
 * @param insns              instruction slots (kernel {@code struct bpf_insn} words)
 * @param subprograms        the sub-programs appended to {@code insns}, by start slot
 * @param funcInfo           BTF function info for {@code insns} (empty when the object has no .BTF.ext)
 * @param lineInfo           BTF line info for {@code insns} (empty when the object has no .BTF.ext)
 */
public record ProgramSpec(String name, String section, ProgramType type, Optional<AttachType> expectedAttachType,
                          boolean sleepable, int sectionOffset, long[] insns, List<Subprogram> subprograms,
                          List<FuncInfo> funcInfo, List<LineInfo> lineInfo) {

    /**
     * A {@code .text} function appended to a program.
     *
     * @param name   its symbol name
     * @param start  index of its first slot in {@link ProgramSpec#insns()}
     * @param length its number of slots
     */
    public record Subprogram(String name, int start, int length) {}

    public ProgramSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(section, "section");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(expectedAttachType, "expectedAttachType");
        insns = insns.clone();
        subprograms = List.copyOf(subprograms);
        funcInfo = List.copyOf(funcInfo);
        lineInfo = List.copyOf(lineInfo);
    }

    /** A copy of the instruction slots. */
    @Override
    public long[] insns() {
        return insns.clone();
    }

    /** Number of instruction slots, sub-programs included. */
    public int length() {
        return insns.length;
    }

    /** Number of slots of the program's own code, before the first appended sub-program. */
    public int mainLength() {
        return subprograms.isEmpty() ? insns.length : subprograms.get(0).start();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ProgramSpec p && name.equals(p.name) && section.equals(p.section) && type == p.type
                && expectedAttachType.equals(p.expectedAttachType) && sleepable == p.sleepable
                && sectionOffset == p.sectionOffset && Arrays.equals(insns, p.insns) && subprograms.equals(p.subprograms)
                && funcInfo.equals(p.funcInfo) && lineInfo.equals(p.lineInfo);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, section, type, expectedAttachType, sleepable, sectionOffset, Arrays.hashCode(insns), subprograms,
                funcInfo, lineInfo);
    }

    @Override
    public String toString() {
        return "ProgramSpec[" + name + ", section " + section + ", " + type.kernelName() + ", " + insns.length
                + " insns, subprograms " + subprograms + "]";
    }
}
