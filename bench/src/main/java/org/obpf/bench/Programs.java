package org.obpf.bench;

import static org.obpf.api.insn.Opcodes.MAX_BPF_STACK;

import org.obpf.api.text.Assembler;
import org.obpf.api.text.AssemblerException;

/** The loop-heavy programs the benchmarks run, in the conformance suite's assembly syntax. */
final class Programs {
    private Programs() {}

    private static long[] asm(String text) {
        try {
            return Assembler.assemble(text);
        } catch (AssemblerException e) {
            throw new IllegalStateException("benchmark program does not assemble: " + e.getMessage(), e);
        }
    }

    /** r0 = n by a 3-instruction loop: add, sub, jne. */
    static long[] countingLoop(int n) {
        return asm("""
                mov %%r0, 0
                mov %%r1, %d
                loop:
                add %%r0, 1
                sub %%r1, 1
                jne %%r1, 0, loop
                exit
                """.formatted(n));
    }

    /**
     * The Internet checksum (RFC 1071) of the packet at r1 of length r2 (even): 16-bit loads in
     * host order summed in 64 bits, folded, complemented.
     */
    static long[] checksum() {
        return asm("""
                mov %r0, 0
                mov %r3, %r1
                mov %r4, %r1
                add %r4, %r2
                loop:
                jge %r3, %r4, fold
                ldxh %r5, [%r3+0]
                add %r0, %r5
                add %r3, 2
                ja loop
                fold:
                mov %r5, %r0
                rsh %r5, 16
                and %r0, 0xffff
                add %r0, %r5
                mov %r5, %r0
                rsh %r5, 16
                and %r0, 0xffff
                add %r0, %r5
                xor %r0, 0xffff
                exit
                """);
    }

    /**
     * Fills n 64-bit slots on the stack with n, n-1, ..., 1 and bubble-sorts them ascending
     * (the worst case: every comparison swaps). Returns the slots' weighted sum
     * {@code sum (i + 1) * a[i]}, which is {@code sum (i + 1)^2} only if the result is sorted.
     */
    static long[] bubbleSort(int n) {
        if (n * 8 > MAX_BPF_STACK) throw new IllegalArgumentException("too many elements for the stack: " + n);
        return asm("""
                mov %%r1, %%r10
                add %%r1, %d
                mov %%r2, 0
                fill:
                jge %%r2, %d, sort
                mov %%r3, %d
                sub %%r3, %%r2
                mov %%r4, %%r2
                lsh %%r4, 3
                add %%r4, %%r1
                stxdw [%%r4+0], %%r3
                add %%r2, 1
                ja fill
                sort:
                mov %%r2, %d
                outer:
                jeq %%r2, 0, sum
                mov %%r3, 0
                mov %%r4, %%r1
                inner:
                jge %%r3, %%r2, next
                ldxdw %%r5, [%%r4+0]
                ldxdw %%r6, [%%r4+8]
                jle %%r5, %%r6, noswap
                stxdw [%%r4+0], %%r6
                stxdw [%%r4+8], %%r5
                noswap:
                add %%r4, 8
                add %%r3, 1
                ja inner
                next:
                sub %%r2, 1
                ja outer
                sum:
                mov %%r0, 0
                mov %%r2, 0
                mov %%r4, %%r1
                sumloop:
                jge %%r2, %d, done
                ldxdw %%r5, [%%r4+0]
                add %%r2, 1
                mul %%r5, %%r2
                add %%r0, %%r5
                add %%r4, 8
                ja sumloop
                done:
                exit
                """.formatted(-8 * n, n, n, n - 1, n));
    }
}
