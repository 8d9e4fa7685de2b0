package org.obpf.offload.nfp.sim;

/** The ALU operations and branch conditions the model implements ({@code enum alu_op}, {@code enum br_mask}). */
final class Alu {
    private Alu() {}

    static final int NONE = 0x00, ADD = 0x01, NOT = 0x04, ADD_2B = 0x05, AND = 0x08, AND_NOT_A = 0x0c, SUB_C = 0x0d,
            AND_NOT_B = 0x10, ADD_C = 0x11, OR = 0x14, SUB = 0x15, XOR = 0x18;
    static final int BEQ = 0x00, BNE = 0x01, BMI = 0x02, BHS = 0x04, BLO = 0x05, BGE = 0x08, BLT = 0x09, UNC = 0x18;

    static boolean known(int op) {
        return switch (op) {
            case NONE, ADD, NOT, ADD_2B, AND, AND_NOT_A, SUB_C, AND_NOT_B, ADD_C, OR, SUB, XOR -> true;
            default -> false;
        };
    }

    static boolean knownCond(int c) {
        return switch (c) {
            case BEQ, BNE, BMI, BHS, BLO, BGE, BLT, UNC -> true;
            default -> false;
        };
    }
}
