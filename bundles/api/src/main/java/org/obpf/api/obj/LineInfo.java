package org.obpf.api.obj;

/**
 * A {@code struct bpf_line_info} record of a program, relocated like {@link FuncInfo}: where an
 * instruction came from in the C source.
 *
 * @param insn        instruction slot in {@link ProgramSpec#insns()}
 * @param file        the source file name
 * @param source      the source line's text
 * @param line        line number
 * @param column      column number
 * @param fileNameOff {@code file_name_off}: offset of {@code file} in the BTF string section
 * @param lineOff     {@code line_off}: offset of {@code source} in the BTF string section
 */
public record LineInfo(int insn, String file, String source, int line, int column, int fileNameOff, int lineOff) {

    /** The kernel's {@code line_col}: line number in the high 22 bits, column in the low 10. */
    public int lineCol() {
        return line << 10 | column & 0x3ff;
    }
}
