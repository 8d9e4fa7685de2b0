package org.obpf.api.jit.code;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.obpf.api.insn.Opcodes.*;

import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.obpf.api.insn.Insn;

class ConstantBlindingTest {
    static final int KEY = 0x5a5a5a5a;
    static final int AX = ConstantBlinding.BPF_REG_AX;
    /** A "random" source that always answers KEY, so the rewrite is exact. */
    static final RandomGenerator FIXED = () -> KEY & 0xffffffffL | (long) KEY << 32;

    static long e(int code, int dst, int src, int off, int imm) {
        return Insn.encode(code, dst, src, off, imm);
    }

    @Test
    void aluImmediatesGoThroughAxAsTheKernelDoesIt() {
        long[] prog = {e(BPF_ALU64 | BPF_ADD | BPF_K, 3, 0, 0, 0x12345678), e(BPF_ALU | BPF_DIV | BPF_K, 4, 0, 1, -7),
            e(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)};
        ConstantBlinding.Result r = ConstantBlinding.blind(prog, FIXED);
        assertArrayEquals(new long[] {
            e(BPF_ALU64 | BPF_MOV | BPF_K, AX, 0, 0, KEY ^ 0x12345678),
            e(BPF_ALU64 | BPF_XOR | BPF_K, AX, 0, 0, KEY),
            e(BPF_ALU64 | BPF_ADD | BPF_X, 3, AX, 0, 0),
            e(BPF_ALU | BPF_MOV | BPF_K, AX, 0, 0, KEY ^ -7),
            e(BPF_ALU | BPF_XOR | BPF_K, AX, 0, 0, KEY),
            e(BPF_ALU | BPF_DIV | BPF_X, 4, AX, 1, 0), // off = 1 kept: still a signed division
            e(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)}, r.insns());
        assertArrayEquals(new int[] {0, 0, 0, 1, 1, 1, 2}, r.origin());
        assertArrayEquals(new int[] {0, 3, 6, 7}, r.newIndex());
    }

    @Test
    void movZeroBecomesXorShiftsAreLeftAlone() {
        long[] prog = {e(BPF_ALU | BPF_MOV | BPF_K, 1, 0, 0, 0), e(BPF_ALU64 | BPF_LSH | BPF_K, 1, 0, 0, 13),
            e(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)};
        assertArrayEquals(new long[] {e(BPF_ALU64 | BPF_XOR | BPF_X, 1, 1, 0, 0), prog[1], prog[2]},
                ConstantBlinding.blind(prog, FIXED).insns());
    }

    @Test
    void jumpOffsetsFollowTheInsertedInstructions() {
        long[] prog = {
            e(BPF_JMP32 | BPF_JGT | BPF_K, 1, 0, 2, 100), // -> 3
            e(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 1),
            e(BPF_JMP | BPF_JA, 0, 0, -3, 0),              // -> 0
            e(BPF_ST | BPF_MEM | BPF_W, 10, 0, -4, 0x77),
            e(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)};
        ConstantBlinding.Result r = ConstantBlinding.blind(prog, FIXED);
        assertArrayEquals(new long[] {
            e(BPF_ALU | BPF_MOV | BPF_K, AX, 0, 0, KEY ^ 100),
            e(BPF_ALU | BPF_XOR | BPF_K, AX, 0, 0, KEY),
            e(BPF_JMP32 | BPF_JGT | BPF_X, 1, AX, 4, 0),  // 2 + 1 + 4 = 7: the first slot of the blinded st
            e(BPF_ALU64 | BPF_MOV | BPF_K, AX, 0, 0, KEY ^ 1),
            e(BPF_ALU64 | BPF_XOR | BPF_K, AX, 0, 0, KEY),
            e(BPF_ALU64 | BPF_MOV | BPF_X, 0, AX, 0, 0),
            e(BPF_JMP | BPF_JA, 0, 0, -7, 0),              // 6 + 1 - 7 = 0
            e(BPF_ALU64 | BPF_MOV | BPF_K, AX, 0, 0, KEY ^ 0x77),
            e(BPF_ALU64 | BPF_XOR | BPF_K, AX, 0, 0, KEY),
            e(BPF_STX | BPF_MEM | BPF_W, 10, AX, -4, 0),
            e(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)}, r.insns());
        assertArrayEquals(new int[] {0, 3, 6}, r.mapStarts(new int[] {0, 1, 2}));
    }

    @Test
    void lddwIsBuiltFromTwoBlindedHalvesPseudoSourcesAreLeftAlone() {
        long[] prog = {e(BPF_LD | BPF_IMM | BPF_DW, 2, 0, 0, 0x11223344), e(0, 0, 0, 0, 0x55667788),
            e(BPF_LD | BPF_IMM | BPF_DW, 3, BPF_PSEUDO_MAP_IDX, 0, 1), e(0, 0, 0, 0, 0),
            e(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)};
        ConstantBlinding.Result r = ConstantBlinding.blind(prog, FIXED);
        assertArrayEquals(new long[] {
            e(BPF_ALU64 | BPF_MOV | BPF_K, AX, 0, 0, KEY ^ 0x55667788),
            e(BPF_ALU64 | BPF_XOR | BPF_K, AX, 0, 0, KEY),
            e(BPF_ALU64 | BPF_LSH | BPF_K, AX, 0, 0, 32),
            e(BPF_ALU64 | BPF_MOV | BPF_X, 2, AX, 0, 0),
            e(BPF_ALU | BPF_MOV | BPF_K, AX, 0, 0, KEY ^ 0x11223344),
            e(BPF_ALU | BPF_XOR | BPF_K, AX, 0, 0, KEY),
            e(BPF_ALU64 | BPF_OR | BPF_X, 2, AX, 0, 0),
            prog[2], prog[3], prog[4]}, r.insns());
        assertEquals(7, r.newIndex()[2]);
    }
}
