package org.obpf.offload.rfpc.sim;

import java.util.Random;

/**
 * Random RV32IMC instruction mixes for the qemu cross-check, reproducible from a seed: arithmetic,
 * M, shifts, compressed forms, loads and stores into a buffer, and forward branches. s10 holds the
 * buffer address and is never a destination; s11 is the output cursor; sp is left alone.
 */
final class RandomProgram {
    private RandomProgram() {}

    private static final String[] R = {"add", "sub", "sll", "slt", "sltu", "xor", "srl", "sra", "or", "and",
            "mul", "mulh", "mulhsu", "mulhu", "div", "divu", "rem", "remu"};
    private static final String[] I = {"addi", "slti", "sltiu", "xori", "ori", "andi"};
    private static final String[] SH = {"slli", "srli", "srai"};
    private static final String[] CR = {"c.sub", "c.xor", "c.or", "c.and"};
    private static final String[] B = {"beq", "bne", "blt", "bge", "bltu", "bgeu"};
    private static final String[] L = {"lb", "lh", "lw", "lbu", "lhu"};
    private static final String[] S = {"sb", "sh", "sw"};

    static String generate(long seed, int length) {
        Random rnd = new Random(seed);
        StringBuilder sb = new StringBuilder("#include \"rt.h\"\n    START\n    la s10, buf\n");
        for (int r : dests()) sb.append("    li x").append(r).append(", ").append(value(rnd)).append('\n');
        int label = 0;
        for (int i = 0; i < length; i++) {
            int k = rnd.nextInt(100);
            String rd = "x" + dest(rnd), rs1 = "x" + src(rnd), rs2 = "x" + src(rnd);
            if (k < 35) {
                line(sb, R[rnd.nextInt(R.length)] + " " + rd + ", " + rs1 + ", " + rs2);
            } else if (k < 50) {
                line(sb, I[rnd.nextInt(I.length)] + " " + rd + ", " + rs1 + ", " + (rnd.nextInt(4096) - 2048));
            } else if (k < 58) {
                line(sb, SH[rnd.nextInt(SH.length)] + " " + rd + ", " + rs1 + ", " + rnd.nextInt(32));
            } else if (k < 62) {
                line(sb, (rnd.nextBoolean() ? "lui " : "auipc ") + rd + ", " + rnd.nextInt(1 << 20));
            } else if (k < 70) {
                String cd = "x" + (8 + rnd.nextInt(8)), cs = "x" + (8 + rnd.nextInt(8));
                if (cd.equals("x8") || cd.equals("x9") || rnd.nextBoolean()) {
                    line(sb, CR[rnd.nextInt(CR.length)] + " " + cd + ", " + cs);
                } else {
                    line(sb, "c.andi " + cd + ", " + (rnd.nextInt(64) - 32));
                }
            } else if (k < 76) {
                String cd = "x" + dest(rnd);
                switch (rnd.nextInt(5)) {
                    case 0 -> line(sb, "c.li " + cd + ", " + (rnd.nextInt(64) - 32));
                    case 1 -> line(sb, "c.addi " + cd + ", " + (rnd.nextInt(63) - 32 | 1));
                    case 2 -> line(sb, "c.mv " + cd + ", x" + nonzeroSrc(rnd));
                    case 3 -> line(sb, "c.add " + cd + ", x" + nonzeroSrc(rnd));
                    default -> line(sb, "c.slli " + cd + ", " + (1 + rnd.nextInt(31)));
                }
            } else if (k < 84) {
                line(sb, L[rnd.nextInt(L.length)] + " " + rd + ", " + rnd.nextInt(250) + "(s10)");
            } else if (k < 90) {
                line(sb, S[rnd.nextInt(S.length)] + " " + rs2 + ", " + rnd.nextInt(250) + "(s10)");
            } else if (k < 96) {
                label++;
                line(sb, B[rnd.nextInt(B.length)] + " " + rs1 + ", " + rs2 + ", L" + label);
                line(sb, R[rnd.nextInt(10)] + " " + rd + ", " + rs1 + ", " + rs2);
                sb.append("L").append(label).append(":\n");
            } else {
                line(sb, "OUT(" + rd + ")");
            }
        }
        sb.append("    lw a0, 0(s10)\n    FINISH\n    .data\n    .balign 4\nbuf:\n");
        for (int i = 0; i < 64; i++) sb.append("    .word ").append(value(rnd)).append('\n');
        return sb.toString();
    }

    private static void line(StringBuilder sb, String s) {
        sb.append("    ").append(s).append('\n');
    }

    private static int[] dests() {
        return new int[] {1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 28, 29, 30, 31};
    }

    private static int dest(Random rnd) {
        int[] d = dests();
        return d[rnd.nextInt(d.length)];
    }

    private static int src(Random rnd) {
        return rnd.nextInt(8) == 0 ? 0 : dest(rnd);
    }

    private static int nonzeroSrc(Random rnd) {
        return dest(rnd);
    }

    private static long value(Random rnd) {
        return switch (rnd.nextInt(6)) {
            case 0 -> 0;
            case 1 -> -1;
            case 2 -> 0x80000000L;
            case 3 -> 0x7fffffffL;
            case 4 -> rnd.nextInt(64) - 32;
            default -> rnd.nextInt() & 0xffffffffL;
        };
    }
}
