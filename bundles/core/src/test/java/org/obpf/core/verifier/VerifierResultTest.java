package org.obpf.core.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.obpf.api.map.MapSpec;
import org.obpf.api.map.MapType;
import org.obpf.api.prog.ProgramType;
import org.obpf.api.text.Assembler;

/** What the result carries beyond the verdict: the aux table, the log's state lines, the counters. */
class VerifierResultTest {

    static VerifierResult verify(String src, ProgramType type, int level, MapSpec... maps) throws Exception {
        return Verifier.verify(Assembler.assemble(src), VerifierOptions.of(type, List.of(maps)).withLogLevel(level));
    }

    @Test
    void contextAccessesAreRecordedPerInstruction() throws Exception {
        VerifierResult r = verify("""
                ldxw %r2, [%r1+0]
                ldxw %r3, [%r1+4]
                ldxw %r4, [%r1+12]
                mov %r0, 2
                exit
                """, ProgramType.XDP, 0);
        assertTrue(r.accepted(), r.log());
        assertEquals(new CtxAccess(0, 4, false, "data", RegType.PTR_TO_PACKET), r.aux().get(0).ctx());
        assertEquals(new CtxAccess(4, 4, false, "data_end", RegType.PTR_TO_PACKET_END), r.aux().get(1).ctx());
        assertEquals(new CtxAccess(12, 4, false, "ingress_ifindex", RegType.SCALAR_VALUE), r.aux().get(2).ctx());
        assertNull(r.aux().get(3).ctx());
        assertEquals(RegType.PTR_TO_CTX, r.aux().get(0).ptrType());
        assertNull(r.aux().get(3).ptrType());
        assertTrue(r.toString().startsWith("ACCEPT (processed 5, states "), r.toString());
        assertTrue(r.aux().get(4).seen());
        assertEquals(5, r.processed());
        assertEquals("", r.log());
    }

    @Test
    void skbFieldsAreNamed() throws Exception {
        VerifierResult r = verify("""
                ldxb %r2, [%r1+49]
                mov %r3, 1
                stxw [%r1+8], %r3
                mov %r0, 0
                exit
                """, ProgramType.SCHED_CLS, 0);
        assertTrue(r.accepted(), r.log());
        assertEquals(new CtxAccess(49, 1, false, "cb[0]", RegType.SCALAR_VALUE), r.aux().get(0).ctx());
        assertEquals(new CtxAccess(8, 4, true, "mark", RegType.SCALAR_VALUE), r.aux().get(2).ctx());
    }

    @Test
    void unreachedInstructionsAreNotSeen() throws Exception {
        VerifierResult r = verify("mov %r1, 1\njeq %r1, 1, +1\nmov %r0, %r5\nmov %r0, 0\nexit", ProgramType.XDP, 0);
        assertTrue(r.accepted(), r.log());
        assertFalse(r.aux().get(2).seen());
        assertTrue(r.aux().get(3).seen());
    }

    @Test
    void levelTwoPrintsTheKernelsRegisterFormat() throws Exception {
        VerifierResult r = verify("""
                stw [%r10-4], 0
                mov %r2, %r10
                add %r2, -4
                lddw %r1, 0
                call 1
                exit
                """, ProgramType.XDP, 2);
        // lddw src 0 here: R1 is a number, so the call is refused with the state printed before it.
        assertFalse(r.accepted());
        assertTrue(r.log().contains("5: R1=0 R2=fp-4 R10=fp0 fp-8=0000????\n5: (85) call 1\nR1 type=scalar expected=map_ptr\n"), r.log());
    }

    @Test
    void mapValuePointersPrintTheirMap() throws Exception {
        long[] prog = Assembler.assemble("""
                stw [%r10-4], 0
                mov %r2, %r10
                add %r2, -4
                lddw %r1, 0
                call 1
                ldxw %r1, [%r0+0]
                and %r1, 255
                exit
                """);
        prog[3] |= 1L << 12; // lddw src 1: map 0
        VerifierResult r = Verifier.verify(prog, VerifierOptions.of(ProgramType.XDP, List.of(
                new MapSpec("counts", MapType.HASH, 4, 8, 16, 0))).withLogLevel(2));
        assertFalse(r.accepted());
        assertTrue(r.log().contains("R0=map_value_or_null(id=1,map=counts,ks=4,vs=8)"), r.log());
        assertEquals("R0 invalid mem access 'map_value_or_null'", r.error());
        assertEquals(6, r.errorInsn());
    }

    @Test
    void boundsPrintLikeTheKernel() throws Exception {
        VerifierResult r = verify("ldxw %r0, [%r1+12]\nand %r0, 255\nexit", ProgramType.XDP, 2);
        assertTrue(r.accepted());
        assertTrue(r.log().contains("2: R0=scalar(smin=smin32=0,smax=umax=smax32=umax32=255,var_off=(0x0; 0xff)) R1=ctx() R10=fp0"), r.log());
    }

    @Test
    void statisticsAreCounted() throws Exception {
        VerifierResult r = verify("""
                ldxw %r2, [%r1+12]
                mov %r0, 0
                jgt %r2, 5, +1
                mov %r0, 1
                mov %r3, 0
                jgt %r2, 7, +1
                mov %r3, 1
                exit
                """, ProgramType.XDP, 1);
        assertTrue(r.accepted(), r.log());
        assertTrue(r.processed() >= 8, r.log());
        assertTrue(r.totalStates() >= 1 && r.peakStates() >= 1, r.log());
        assertTrue(r.log().endsWith("mark_read 0\n"), r.log());
        assertTrue(r.nanos() > 0);
        assertEquals(List.of(0), r.stackDepth());
    }

    @Test
    void requireAcceptedGivesTheKernelsErrno() throws Exception {
        verify("mov %r0, 0\nexit", ProgramType.XDP, 0).requireAccepted();
        org.obpf.api.BpfException e = org.junit.jupiter.api.Assertions.assertThrows(org.obpf.api.BpfException.class,
                () -> verify("exit", ProgramType.XDP, 0).requireAccepted());
        assertEquals(org.obpf.api.Errno.EACCES, e.errno());
        assertEquals("insn 0: R0 !read_ok", e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(org.obpf.api.BpfException.class,
                () -> Verifier.verify(new long[] {0x8dL}, VerifierOptions.of(ProgramType.XDP, List.of())).requireAccepted());
        assertEquals(org.obpf.api.Errno.EINVAL, e.errno());
    }

    @Test
    void tooManyPendingBranchesAreRefused() throws Exception {
        StringBuilder sb = new StringBuilder("ldxw %r2, [%r1+12]\n");
        for (int i = 0; i < 8200; i++) sb.append("jeq %r2, ").append(i).append(", +0\n");
        sb.append("mov %r0, 0\nexit\n");
        VerifierResult r = verify(sb.toString(), ProgramType.XDP, 0);
        assertEquals("The sequence of 8193 jumps is too complex.", r.error());
    }

    @Test
    void btfLoadsAreNotModelled() throws Exception {
        long[] prog = Assembler.assemble("lddw %r1, 7\nmov %r0, 0\nexit");
        prog[0] |= 3L << 12; // BPF_PSEUDO_BTF_ID
        VerifierResult r = Verifier.verify(prog, VerifierOptions.of(ProgramType.XDP, List.of()));
        assertEquals("BTF-typed ld_imm64 is not supported", r.error());
    }

    @Test
    void structuralRefusalsComeFromTheDecoder() throws Exception {
        VerifierResult r = Verifier.verify(new long[] {0x8dL}, VerifierOptions.of(ProgramType.XDP, List.of()));
        assertFalse(r.accepted());
        assertEquals("unknown opcode 8d", r.error());
        assertEquals(0, r.errorInsn());
    }
}
