package org.obpf.jit.x86_64;

/** The 16 general-purpose registers of x86-64, by hardware number. */
public enum Reg {
    RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15;

    /** The low three bits, as they go in ModRM, SIB or the opcode. */
    int low3() {
        return ordinal() & 7;
    }

    /** True for r8..r15, which need a REX bit. */
    boolean extended() {
        return ordinal() >= 8;
    }

    /** True for spl, bpl, sil, dil: their 8-bit forms exist only with a REX prefix. */
    boolean byteNeedsRex() {
        return ordinal() >= 4 && ordinal() <= 7;
    }

    private static final String[] N64 = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"};
    private static final String[] N32 = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi", "r8d", "r9d", "r10d", "r11d", "r12d", "r13d", "r14d", "r15d"};
    private static final String[] N16 = {"ax", "cx", "dx", "bx", "sp", "bp", "si", "di", "r8w", "r9w", "r10w", "r11w", "r12w", "r13w", "r14w", "r15w"};
    private static final String[] N8 = {"al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil", "r8b", "r9b", "r10b", "r11b", "r12b", "r13b", "r14b", "r15b"};

    /** The register's name at {@code bits} (8, 16, 32 or 64) as objdump prints it in Intel syntax. */
    public String name(int bits) {
        return switch (bits) {
            case 8 -> N8[ordinal()];
            case 16 -> N16[ordinal()];
            case 32 -> N32[ordinal()];
            default -> N64[ordinal()];
        };
    }

    static Reg of(int number) {
        return values()[number];
    }
}
