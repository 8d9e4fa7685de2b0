package org.obpf.core.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.obpf.api.map.MapSpec;
import org.obpf.api.map.MapType;
import org.obpf.api.prog.ProgramType;
import org.obpf.api.text.Assembler;

/**
 * Precision tracking and stack liveness in state pruning: scalars that no path used where their
 * value matters, and stack slots no path read, do not keep states apart; scalars that were used
 * (offsets, sizes, decided branches, return values) and slots that were read do, also when the
 * use comes after the join or through a spill.
 */
class PrecisionTest {

    static VerifierResult verify(String asm, List<MapSpec> maps) throws Exception {
        return Verifier.verify(Assembler.assemble(asm), VerifierOptions.of(ProgramType.XDP, maps).withLogLevel(1));
    }

    /** A diamond whose sides leave different constants in r3, then a tail that does not use r3's value. */
    static final String DIAMOND = """
            ldxw %r2, [%r1+12]
            mov %r3, 1
            jgt %r2, 10, +1
            mov %r3, 2
            mov %r4, 0
            add %r4, %r3
            stxdw [%r10-8], %r4
            ldxdw %r0, [%r10-8]
            mov %r0, 0
            exit
            """;

    @Test
    void anImpreciseScalarDoesNotKeepStatesApart() throws Exception {
        VerifierResult r = verify(DIAMOND, List.of());
        assertTrue(r.accepted(), r.log());
        // The second path (r3 = 1, taken at insn 2) is pruned at the join, insn 4: 10 insns on the
        // first path and 1 on the second; with r3 compared it would walk insns 4-9 again (16).
        assertEquals(11, r.processed(), r.log());
    }

    @Test
    void aScalarUsedAsAnOffsetAfterTheJoinIsPrecise() throws Exception {
        // r3 is 0 on one side and 12 on the other; after the join it indexes a 16-byte value with an
        // 8-byte load: fine for 0, out of bounds for 12. Pruning the second path would accept it.
        List<MapSpec> maps = List.of(new MapSpec("v", MapType.ARRAY, 4, 16, 1, 0));
        String prog = """
                ldxw %r6, [%r1+12]
                stw [%r10-4], 0
                mov %r2, %r10
                add %r2, -4
                lddw %r1, 0
                call 1
                jeq %r0, 0, out
                mov %r3, 0
                jgt %r6, 10, +1
                mov %r3, 12
                mov %r4, 1
                stxdw [%r10-16], %r4
                add %r0, %r3
                ldxdw %r0, [%r0+0]
                out:
                mov %r0, 0
                exit
                """;
        long[] p = Assembler.assemble(prog);
        p[4] |= 1L << 12; // lddw src 1: map 0
        VerifierResult r = Verifier.verify(p, VerifierOptions.of(ProgramType.XDP, maps).withLogLevel(1));
        assertFalse(r.accepted(), r.log());
        assertTrue(r.error().startsWith("invalid access to map value, value_size=16 off=12 size=8"), r.error());
    }

    @Test
    void precisionFollowsASpillAndFill() throws Exception {
        // The differing scalar goes through the stack before it becomes an offset.
        List<MapSpec> maps = List.of(new MapSpec("v", MapType.ARRAY, 4, 16, 1, 0));
        String prog = """
                ldxw %r6, [%r1+12]
                stw [%r10-4], 0
                mov %r2, %r10
                add %r2, -4
                lddw %r1, 0
                call 1
                jeq %r0, 0, out
                mov %r3, 8
                jgt %r6, 10, +1
                mov %r3, 9
                stxdw [%r10-16], %r3
                mov %r4, 1
                ldxdw %r5, [%r10-16]
                add %r0, %r5
                ldxdw %r0, [%r0+0]
                out:
                mov %r0, 0
                exit
                """;
        long[] p = Assembler.assemble(prog);
        p[4] |= 1L << 12;
        VerifierResult r = Verifier.verify(p, VerifierOptions.of(ProgramType.XDP, maps).withLogLevel(1));
        assertFalse(r.accepted(), r.log());
        assertTrue(r.error().startsWith("invalid access to map value, value_size=16 off=9 size=8"), r.error());
    }

    @Test
    void aDecidedBranchMakesItsOperandPrecise() throws Exception {
        // On the first path r3 = 1 decides "jeq r3, 1" and skips the bad load; on the second r3 = 2
        // falls into it. The join before the branch must not prune the second path.
        String prog = """
                ldxw %r2, [%r1+12]
                mov %r3, 1
                jgt %r2, 10, +1
                mov %r3, 2
                mov %r4, 0
                jeq %r3, 1, +2
                mov %r5, 0
                ldxdw %r0, [%r5+0]
                mov %r0, 0
                exit
                """;
        VerifierResult r = verify(prog, List.of());
        assertFalse(r.accepted(), r.log());
        assertEquals("R5 invalid mem access 'scalar'", r.error());
    }

    @Test
    void aDeadStackSlotDoesNotKeepStatesApart() throws Exception {
        // One side writes a pointer into fp-8, the other a scalar; fp-8 is overwritten before any read.
        String prog = """
                ldxw %r2, [%r1+12]
                stxdw [%r10-8], %r1
                jgt %r2, 10, +1
                stdw [%r10-8], 5
                mov %r3, 1
                stdw [%r10-8], 7
                ldxdw %r0, [%r10-8]
                mov %r0, 0
                exit
                """;
        VerifierResult r = verify(prog, List.of());
        assertTrue(r.accepted(), r.log());
        // 9 insns on the first path, 1 on the second (pruned at insn 4); 14 if fp-8 were compared.
        assertEquals(10, r.processed(), r.log());
    }

    @Test
    void aStackSlotReadAfterTheJoinKeepsStatesApart() throws Exception {
        // fp-8 holds the context pointer on one side and a scalar on the other; after the join it is
        // filled and dereferenced: fine for the pointer, not for the scalar.
        String prog = """
                ldxw %r2, [%r1+12]
                stxdw [%r10-8], %r1
                jgt %r2, 10, +1
                stdw [%r10-8], 5
                mov %r3, 1
                mov %r4, 2
                ldxdw %r5, [%r10-8]
                ldxw %r0, [%r5+0]
                mov %r0, 0
                exit
                """;
        VerifierResult r = verify(prog, List.of());
        assertFalse(r.accepted(), r.log());
        assertEquals("R5 invalid mem access 'scalar'", r.error());
    }
}
