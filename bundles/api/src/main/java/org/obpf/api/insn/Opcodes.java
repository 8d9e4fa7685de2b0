package org.obpf.api.insn;

/**
 * Opcode fields of the eBPF instruction set (RFC 9669, section 3), with the kernel's names from
 * {@code include/uapi/linux/bpf_common.h} and {@code bpf.h}. An opcode byte is
 * {@code class | source | operation} for arithmetic and jumps and
 * {@code class | size | mode} for loads and stores.
 */
public final class Opcodes {
    private Opcodes() {}

    // Instruction classes (low 3 bits).
    public static final int BPF_LD = 0x00;
    public static final int BPF_LDX = 0x01;
    public static final int BPF_ST = 0x02;
    public static final int BPF_STX = 0x03;
    public static final int BPF_ALU = 0x04;
    public static final int BPF_JMP = 0x05;
    public static final int BPF_JMP32 = 0x06;
    public static final int BPF_ALU64 = 0x07;

    // Source operand (bit 3) for ALU and JMP.
    public static final int BPF_K = 0x00;
    public static final int BPF_X = 0x08;

    // ALU operations (high 4 bits).
    public static final int BPF_ADD = 0x00;
    public static final int BPF_SUB = 0x10;
    public static final int BPF_MUL = 0x20;
    public static final int BPF_DIV = 0x30;
    public static final int BPF_OR = 0x40;
    public static final int BPF_AND = 0x50;
    public static final int BPF_LSH = 0x60;
    public static final int BPF_RSH = 0x70;
    public static final int BPF_NEG = 0x80;
    public static final int BPF_MOD = 0x90;
    public static final int BPF_XOR = 0xa0;
    public static final int BPF_MOV = 0xb0;
    public static final int BPF_ARSH = 0xc0;
    public static final int BPF_END = 0xd0;

    // Byte-swap direction (source bit of BPF_END). BPF_ALU64 | BPF_END | BPF_TO_LE is the
    // unconditional byte swap (bswap, cpu v4).
    public static final int BPF_TO_LE = 0x00;
    public static final int BPF_TO_BE = 0x08;

    // Jump operations (high 4 bits).
    public static final int BPF_JA = 0x00;
    public static final int BPF_JEQ = 0x10;
    public static final int BPF_JGT = 0x20;
    public static final int BPF_JGE = 0x30;
    public static final int BPF_JSET = 0x40;
    public static final int BPF_JNE = 0x50;
    public static final int BPF_JSGT = 0x60;
    public static final int BPF_JSGE = 0x70;
    public static final int BPF_CALL = 0x80;
    public static final int BPF_EXIT = 0x90;
    public static final int BPF_JLT = 0xa0;
    public static final int BPF_JLE = 0xb0;
    public static final int BPF_JSLT = 0xc0;
    public static final int BPF_JSLE = 0xd0;

    // Load/store sizes (bits 3-4).
    public static final int BPF_W = 0x00;
    public static final int BPF_H = 0x08;
    public static final int BPF_B = 0x10;
    public static final int BPF_DW = 0x18;

    // Load/store modes (high 3 bits).
    public static final int BPF_IMM = 0x00;
    public static final int BPF_ABS = 0x20;
    public static final int BPF_IND = 0x40;
    public static final int BPF_MEM = 0x60;
    public static final int BPF_MEMSX = 0x80; // sign-extending load (cpu v4)
    public static final int BPF_ATOMIC = 0xc0;

    // Atomic operations (imm field of BPF_STX | BPF_ATOMIC): an ALU operation (BPF_ADD, BPF_OR,
    // BPF_AND, BPF_XOR), optionally with BPF_FETCH, or one of the two exchanges.
    public static final int BPF_FETCH = 0x01;
    public static final int BPF_XCHG = 0xe0 | BPF_FETCH;
    public static final int BPF_CMPXCHG = 0xf0 | BPF_FETCH;

    // Pseudo sources of the 16-byte immediate load (src field of BPF_LD | BPF_IMM | BPF_DW).
    public static final int BPF_PSEUDO_MAP_FD = 1;
    public static final int BPF_PSEUDO_MAP_VALUE = 2;
    public static final int BPF_PSEUDO_BTF_ID = 3;
    public static final int BPF_PSEUDO_FUNC = 4;
    public static final int BPF_PSEUDO_MAP_IDX = 5;
    public static final int BPF_PSEUDO_MAP_IDX_VALUE = 6;

    // Call sources (src field of BPF_JMP | BPF_CALL).
    public static final int BPF_HELPER_CALL = 0;
    public static final int BPF_PSEUDO_CALL = 1;
    public static final int BPF_PSEUDO_KFUNC_CALL = 2;

    public static final int MAX_BPF_REG = 11; // r0..r10
    public static final int BPF_REG_0 = 0;
    public static final int BPF_REG_FP = 10;
    public static final int MAX_BPF_STACK = 512;

    public static int bpfClass(int code) { return code & 0x07; }
    public static int bpfOp(int code) { return code & 0xf0; }
    public static int bpfSrc(int code) { return code & 0x08; }
    public static int bpfSize(int code) { return code & 0x18; }
    public static int bpfMode(int code) { return code & 0xe0; }

    /** Width in bytes of a load/store size field. */
    public static int sizeBytes(int size) {
        return switch (size) {
            case BPF_B -> 1;
            case BPF_H -> 2;
            case BPF_W -> 4;
            default -> 8;
        };
    }

    /** True for the first slot of a 16-byte immediate load ({@code lddw}). */
    public static boolean isLdImm64(int code) {
        return code == (BPF_LD | BPF_IMM | BPF_DW);
    }
}
