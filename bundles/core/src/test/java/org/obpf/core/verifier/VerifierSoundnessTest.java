package org.obpf.core.verifier;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.obpf.api.insn.Opcodes.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.obpf.api.insn.Insn;
import org.obpf.api.prog.ProgramType;
import org.obpf.api.text.Disassembler;
import org.obpf.core.helper.HelperTable;
import org.obpf.core.interp.ExecutionException;
import org.obpf.core.interp.Interpreter;
import org.obpf.core.interp.Program;

/**
 * Differential soundness: random FLAT programs (pointer arithmetic on the memory and the stack,
 * loads, stores and atomics of every size, ALU ops of both widths, forward branches, half of them
 * inside a counted loop, so that pruning across iterations is exercised) that the verifier
 * accepts must run on the interpreter, over memory of random contents, without a memory fault.
 */
class VerifierSoundnessTest {
    static final int MEM = 32;
    static final int ROUNDS = 100_000;
    final Random rnd = new Random(5);

    int reg() {
        return rnd.nextInt(10);
    }

    /** A register to write: never r9, the loop counter. */
    int dreg() {
        return rnd.nextInt(9);
    }

    int size() {
        return new int[] {BPF_B, BPF_H, BPF_W, BPF_DW}[rnd.nextInt(4)];
    }

    /** A base register: the memory, its moving copy, the frame pointer or its moving copy. */
    int base() {
        return new int[] {1, 6, 10, 7}[rnd.nextInt(4)];
    }

    long offField() {
        int off = rnd.nextInt(3) == 0 ? rnd.nextInt(48) - 24 : (rnd.nextBoolean() ? rnd.nextInt(5) * 8 : -8 * (1 + rnd.nextInt(4)));
        return (off & 0xffffL) << 16;
    }

    long[] program() {
        List<Long> p = new ArrayList<>();
        int n = 6 + rnd.nextInt(14);
        // Every register starts initialised: r1 = mem, r2 = its size, r6 = r1, r7 = fp - 16, the
        // rest known small numbers or unknown bytes and words from the memory.
        p.add(Insn.encode(BPF_ALU64 | BPF_MOV | BPF_X, 6, 1, 0, 0));
        p.add(Insn.encode(BPF_ALU64 | BPF_MOV | BPF_X, 7, 10, 0, 0));
        p.add(Insn.encode(BPF_ALU64 | BPF_ADD | BPF_K, 7, 0, 0, -16));
        p.add(Insn.encode(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0));
        if (rnd.nextBoolean()) {
            for (int k = 1; k <= 4; k++) p.add(Insn.encode(BPF_ST | BPF_MEM | BPF_DW, 10, 0, -8 * k, rnd.nextInt(3)));
        }
        for (int r : new int[] {3, 4, 5, 8, 9}) {
            if (rnd.nextBoolean()) p.add(Insn.encode(BPF_ALU64 | BPF_MOV | BPF_K, r, 0, 0, rnd.nextInt(24)));
            else p.add(Insn.encode(BPF_LDX | BPF_MEM | (rnd.nextBoolean() ? BPF_B : BPF_W), r, 1, rnd.nextInt(7) * 4, 0));
        }
        // Half the programs run their body in a loop of 1..4 iterations counted down in r9.
        boolean loop = rnd.nextBoolean();
        if (loop) p.add(Insn.encode(BPF_ALU64 | BPF_MOV | BPF_K, 9, 0, 0, 1 + rnd.nextInt(4)));
        int head = p.size();
        for (int i = 0; i < n; i++) {
            int left = n - i;
            switch (rnd.nextInt(13)) {
                case 9 -> {
                    // neg, byte swaps, sign extension
                    int r = dreg();
                    switch (rnd.nextInt(5)) {
                        case 0 -> p.add(Insn.encode((rnd.nextBoolean() ? BPF_ALU : BPF_ALU64) | BPF_NEG, r, 0, 0, 0));
                        case 1 -> p.add(Insn.encode(BPF_ALU | BPF_END | (rnd.nextBoolean() ? BPF_TO_LE : BPF_TO_BE), r, 0, 0,
                                new int[] {16, 32, 64}[rnd.nextInt(3)]));
                        case 2 -> p.add(Insn.encode(BPF_ALU64 | BPF_END, r, 0, 0, new int[] {16, 32, 64}[rnd.nextInt(3)]));
                        case 3 -> p.add(Insn.encode((rnd.nextBoolean() ? BPF_ALU : BPF_ALU64) | BPF_MOV | BPF_X, r, reg(), new int[] {8, 16}[rnd.nextInt(2)], 0));
                        default -> p.add(Insn.encode(BPF_ALU64 | BPF_MOV | BPF_X, r, reg(), 32, 0));
                    }
                }
                case 10 -> {
                    // division and modulo, signed and unsigned, by a register (0 is defined) or a non-zero constant
                    int op = rnd.nextBoolean() ? BPF_DIV : BPF_MOD;
                    int cls = rnd.nextBoolean() ? BPF_ALU : BPF_ALU64;
                    int sdiv = rnd.nextInt(3) == 0 ? 1 : 0;
                    if (rnd.nextBoolean()) p.add(Insn.encode(cls | op | BPF_K, dreg(), 0, sdiv, 1 + rnd.nextInt(9)));
                    else p.add(Insn.encode(cls | op | BPF_X, dreg(), reg(), sdiv, 0));
                }
                case 11 -> p.add(Insn.encode(BPF_LDX | BPF_MEMSX | new int[] {BPF_B, BPF_H, BPF_W}[rnd.nextInt(3)], dreg(), base(), 0, 0) | offField());
                case 12 -> {
                    int[] ops = {BPF_ADD, BPF_OR, BPF_AND, BPF_XOR, BPF_ADD | BPF_FETCH, BPF_XCHG, BPF_CMPXCHG};
                    p.add(Insn.encode(BPF_STX | BPF_ATOMIC | (rnd.nextBoolean() ? BPF_W : BPF_DW), base(), dreg(), 0, ops[rnd.nextInt(ops.length)]) | offField());
                }
                case 0 -> p.add(Insn.encode(BPF_ALU64 | BPF_MOV | BPF_K, dreg(), 0, 0, rnd.nextInt(40) - 8));
                case 1 -> p.add(Insn.encode(BPF_LDX | BPF_MEM | size(), dreg(), base(), 0, 0) | offField());
                case 2 -> p.add(Insn.encode(BPF_STX | BPF_MEM | size(), base(), reg(), 0, 0) | offField());
                case 3 -> p.add(Insn.encode(BPF_ST | BPF_MEM | size(), base(), 0, 0, rnd.nextInt(5)) | offField());
                case 4, 5 -> {
                    int op = new int[] {BPF_ADD, BPF_SUB, BPF_AND, BPF_OR, BPF_LSH, BPF_RSH, BPF_MUL, BPF_XOR, BPF_ARSH}[rnd.nextInt(9)];
                    int cls = rnd.nextInt(3) == 0 ? BPF_ALU : BPF_ALU64;
                    if (rnd.nextBoolean()) {
                        int imm = op == BPF_LSH || op == BPF_RSH || op == BPF_ARSH ? rnd.nextInt(8) : rnd.nextInt(64) - 16;
                        p.add(Insn.encode(cls | op | BPF_K, dreg(), 0, 0, imm));
                    } else {
                        p.add(Insn.encode(cls | op | BPF_X, dreg(), reg(), 0, 0));
                    }
                }
                case 6 -> p.add(Insn.encode(BPF_ALU64 | BPF_MOV | BPF_X, dreg(), rnd.nextInt(3) == 0 ? 10 : reg(), 0, 0));
                case 7 -> {
                    int op = new int[] {BPF_JEQ, BPF_JNE, BPF_JGT, BPF_JGE, BPF_JLT, BPF_JLE, BPF_JSGT, BPF_JSLT, BPF_JSET}[rnd.nextInt(9)];
                    int cls = rnd.nextInt(3) == 0 ? BPF_JMP32 : BPF_JMP;
                    int off = rnd.nextInt(Math.max(1, Math.min(left, 4)));
                    if (rnd.nextBoolean()) p.add(Insn.encode(cls | op | BPF_K, dreg(), 0, off, rnd.nextInt(40) - 4));
                    else p.add(Insn.encode(cls | op | BPF_X, dreg(), reg(), off, 0));
                }
                default -> p.add(Insn.encode(BPF_ALU64 | BPF_ADD | BPF_X, 6, reg(), 0, 0)); // pointer += scalar
            }
        }
        if (loop) {
            p.add(Insn.encode(BPF_ALU64 | BPF_ADD | BPF_K, 9, 0, 0, -1));
            p.add(Insn.encode(BPF_JMP | BPF_JNE | BPF_K, 9, 0, head - p.size() - 1, 0));
        }
        p.add(Insn.encode(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
        long[] out = new long[p.size()];
        for (int i = 0; i < out.length; i++) out[i] = p.get(i);
        return out;
    }

    @Test
    void acceptedProgramsNeverFaultOnTheInterpreter() throws Exception {
        Interpreter interp = new Interpreter();
        int accepted = 0;
        int loops = 0;
        int ran = 0;
        VerifierOptions opts = VerifierOptions.of(ProgramType.FLAT, List.of()).withFlatMemSize(MEM);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mem = arena.allocate(MEM, 8);
            for (int round = 0; round < ROUNDS; round++) {
                long[] prog = program();
                VerifierResult r = Verifier.verify(prog, opts);
                if (!r.accepted()) continue;
                accepted++;
                for (long w : prog) if (Insn.code(w) == (BPF_JMP | BPF_JNE | BPF_K) && Insn.off(w) < 0) { loops++; break; }
                Program loaded = Program.load(prog, HelperTable.builtins());
                for (int k = 0; k < 8; k++) {
                    for (int b = 0; b < MEM; b++) mem.set(java.lang.foreign.ValueLayout.JAVA_BYTE, b, (byte) rnd.nextInt(256));
                    try {
                        interp.run(loaded, mem);
                        ran++;
                    } catch (ExecutionException e) {
                        fail("accepted but faulted: " + e.getMessage() + "\n" + String.join("\n", Disassembler.disassemble(prog)));
                    }
                }
            }
        }
        System.out.printf("soundness: %d accepted of %d random programs (%d with loops), %d runs%n", accepted, ROUNDS, loops, ran);
        assertTrue(loops > accepted / 5, "loops: " + loops);
        assertTrue(accepted > ROUNDS / 200, "too few accepted programs to mean anything: " + accepted);
    }
}
