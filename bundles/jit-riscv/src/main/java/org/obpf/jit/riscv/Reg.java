package org.obpf.jit.riscv;

/** The 32 integer registers of RISC-V, by number, with their ABI names (as objdump prints them). */
public enum Reg {
    ZERO, RA, SP, GP, TP, T0, T1, T2, S0, S1, A0, A1, A2, A3, A4, A5, A6, A7,
    S2, S3, S4, S5, S6, S7, S8, S9, S10, S11, T3, T4, T5, T6;

    private static final Reg[] ALL = values();

    /** The register number, x0..x31. */
    int n() {
        return ordinal();
    }

    /** True for x8..x15, the registers the compressed three-bit fields (rd', rs1', rs2') can name. */
    boolean compressible() {
        return ordinal() >= 8 && ordinal() <= 15;
    }

    /** The three-bit compressed field for x8..x15. */
    int c3() {
        return ordinal() - 8;
    }

    /** The ABI name ({@code s0} for x8, as objdump prints it). */
    public String abiName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    static Reg x(int number) {
        return ALL[number];
    }
}
