package org.obpf.core.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.obpf.api.prog.ProgramType;
import org.obpf.api.text.Assembler;

/**
 * Size and complexity: pruning keeps a long chain of branches linear, and the 1M
 * processed-instruction limit ends a loop the verifier cannot bound, in bounded time and memory.
 * Timings are printed for the record, not asserted tightly (the build machine is shared).
 */
class VerifierScaleTest {

    @Test
    void aLongChainOfBranchesIsPrunedToLinearWork() throws Exception {
        StringBuilder sb = new StringBuilder("mov %r6, %r1\nmov %r0, 0\n");
        int blocks = 4000;
        for (int i = 0; i < blocks; i++) {
            sb.append("ldxw %r2, [%r6+12]\njgt %r2, ").append(i).append(", +1\nmov %r3, %r2\n");
        }
        sb.append("exit\n");
        long[] prog = Assembler.assemble(sb.toString());
        VerifierResult r = Verifier.verify(prog, VerifierOptions.of(ProgramType.XDP, List.of()).withLogLevel(0));
        assertTrue(r.accepted(), r.error());
        // Without pruning this is 2^4000 paths; with it, each join is visited about twice.
        assertTrue(r.processed() < 3 * prog.length, "processed " + r.processed());
        System.out.printf("chain of %d branches: %d insns, processed %d, states %d, peak %d, %.1f ms%n", blocks,
                prog.length, r.processed(), r.totalStates(), r.peakStates(), r.nanos() / 1e6);
    }

    @Test
    void theComplexityLimitEndsAnUnboundedLoop() throws Exception {
        long[] prog = Assembler.assemble("""
                ldxw %r2, [%r1+12]
                mov %r1, 0
                loop:
                add %r1, 1
                jlt %r1, %r2, loop
                mov %r0, 0
                exit
                """);
        VerifierResult r = Verifier.verify(prog, VerifierOptions.of(ProgramType.XDP, List.of()).withLogLevel(0));
        assertEquals("BPF program is too large. Processed 1000001 insn", r.error());
        assertTrue(r.nanos() < 120_000_000_000L, "took " + r.nanos() / 1e6 + " ms");
        System.out.printf("1M-limit loop: processed %d, states %d, peak %d, %.1f ms%n", r.processed(), r.totalStates(),
                r.peakStates(), r.nanos() / 1e6);
    }

    @Test
    void aThousandIterationLoopIsCheap() throws Exception {
        long[] prog = Assembler.assemble("""
                mov %r0, 0
                mov %r1, 0
                loop:
                add %r0, 3
                add %r1, 1
                jlt %r1, 1000, loop
                exit
                """);
        VerifierResult r = Verifier.verify(prog, VerifierOptions.of(ProgramType.XDP, List.of()).withLogLevel(0));
        assertTrue(r.accepted(), r.error());
        assertEquals(3003, r.processed());
        System.out.printf("1000-iteration loop: processed %d, states %d, %.1f ms%n", r.processed(), r.totalStates(), r.nanos() / 1e6);
    }
}
