package org.obpf.api.obj;

/**
 * A {@code struct bpf_func_info} record of a program, relocated the way libbpf does for
 * {@code BPF_PROG_LOAD}: one per function (the program itself and each appended sub-program).
 *
 * @param insn   the function's first instruction slot in {@link ProgramSpec#insns()}
 * @param typeId its BTF {@code FUNC} type id in {@link BpfObject#btf()}
 */
public record FuncInfo(int insn, int typeId) {}
