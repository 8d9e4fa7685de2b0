package org.obpf.api.jit;

/** A program a back-end cannot compile: names the arch, the instruction index (or -1) and why. */
public class JitException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String arch;
    private final int insnIndex;

    public JitException(String arch, int insnIndex, String reason) {
        super(arch + (insnIndex >= 0 ? ": insn " + insnIndex + ": " : ": ") + reason);
        this.arch = arch;
        this.insnIndex = insnIndex;
    }

    public String arch() {
        return arch;
    }

    /** The BPF instruction that could not be compiled, or -1 if the reason is not one instruction. */
    public int insnIndex() {
        return insnIndex;
    }
}
