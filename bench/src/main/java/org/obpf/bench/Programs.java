package org.obpf.bench;

import static org.obpf.api.insn.Opcodes.*;

/** The loop-heavy programs the benchmarks run. */
final class Programs {
    private Programs() {}

    /** r0 = n by a 3-instruction loop: add, sub, jne. */
    static long[] countingLoop(int n) {
        return new Asm()
                .alu64(BPF_MOV, 0, 0)
                .alu64(BPF_MOV, 1, n)
                .label("loop")
                .alu64(BPF_ADD, 0, 1)
                .alu64(BPF_SUB, 1, 1)
                .jmp(BPF_JNE, 1, 0, "loop")
                .exit()
                .words();
    }

    /**
     * The Internet checksum (RFC 1071) of the packet at r1 of length r2 (even): 16-bit loads in
     * host order summed in 64 bits, folded, complemented.
     */
    static long[] checksum() {
        return new Asm()
                .alu64(BPF_MOV, 0, 0)
                .alu64x(BPF_MOV, 3, 1)         // r3 = cursor
                .alu64x(BPF_MOV, 4, 1)
                .alu64x(BPF_ADD, 4, 2)         // r4 = end
                .label("loop")
                .jmpx(BPF_JGE, 3, 4, "fold")
                .ldx(BPF_H, 5, 3, 0)
                .alu64x(BPF_ADD, 0, 5)
                .alu64(BPF_ADD, 3, 2)
                .ja("loop")
                .label("fold")
                .alu64x(BPF_MOV, 5, 0).alu64(BPF_RSH, 5, 16).alu64(BPF_AND, 0, 0xffff).alu64x(BPF_ADD, 0, 5)
                .alu64x(BPF_MOV, 5, 0).alu64(BPF_RSH, 5, 16).alu64(BPF_AND, 0, 0xffff).alu64x(BPF_ADD, 0, 5)
                .alu64(BPF_XOR, 0, 0xffff)
                .exit()
                .words();
    }

    /**
     * Fills n 64-bit slots on the stack with n, n-1, ..., 1 and bubble-sorts them ascending
     * (the worst case: every comparison swaps). Returns the slots' weighted sum
     * {@code sum (i + 1) * a[i]}, which is {@code sum (i + 1)^2} only if the result is sorted.
     */
    static long[] bubbleSort(int n) {
        if (n * 8 > MAX_BPF_STACK) throw new IllegalArgumentException("too many elements for the stack: " + n);
        return new Asm()
                .alu64x(BPF_MOV, 1, 10).alu64(BPF_ADD, 1, -8 * n) // r1 = a
                .alu64(BPF_MOV, 2, 0)                             // i = 0
                .label("fill")
                .jmp(BPF_JGE, 2, n, "sort")
                .alu64(BPF_MOV, 3, n).alu64x(BPF_SUB, 3, 2)      // r3 = n - i
                .alu64x(BPF_MOV, 4, 2).alu64(BPF_LSH, 4, 3).alu64x(BPF_ADD, 4, 1)
                .stx(BPF_DW, 4, 3, 0)
                .alu64(BPF_ADD, 2, 1)
                .ja("fill")
                .label("sort")
                .alu64(BPF_MOV, 2, n - 1)                         // r2 = pairs to compare this pass
                .label("outer")
                .jmp(BPF_JEQ, 2, 0, "sum")
                .alu64(BPF_MOV, 3, 0)                             // j = 0
                .alu64x(BPF_MOV, 4, 1)                            // p = a
                .label("inner")
                .jmpx(BPF_JGE, 3, 2, "next")
                .ldx(BPF_DW, 5, 4, 0)
                .ldx(BPF_DW, 6, 4, 8)
                .jmpx(BPF_JLE, 5, 6, "noswap")
                .stx(BPF_DW, 4, 6, 0)
                .stx(BPF_DW, 4, 5, 8)
                .label("noswap")
                .alu64(BPF_ADD, 4, 8)
                .alu64(BPF_ADD, 3, 1)
                .ja("inner")
                .label("next")
                .alu64(BPF_SUB, 2, 1)
                .ja("outer")
                .label("sum")
                .alu64(BPF_MOV, 0, 0)
                .alu64(BPF_MOV, 2, 0)                             // i
                .alu64x(BPF_MOV, 4, 1)
                .label("sumloop")
                .jmp(BPF_JGE, 2, n, "done")
                .ldx(BPF_DW, 5, 4, 0)
                .alu64(BPF_ADD, 2, 1)
                .alu64x(BPF_MUL, 5, 2)
                .alu64x(BPF_ADD, 0, 5)
                .alu64(BPF_ADD, 4, 8)
                .ja("sumloop")
                .label("done")
                .exit()
                .words();
    }
}
