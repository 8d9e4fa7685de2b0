package org.obpf.core.verifier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.obpf.api.text.Assembler;

/** The zero-extension pass: where it inserts {@code w = w}, and how jumps and calls follow. */
class ZextTest {
    static long[] asm(String s) throws Exception {
        return Assembler.assemble(s);
    }

    @Test
    void insertsAfterA32BitDefWhoseUpperHalfIsRead() throws Exception {
        Zext.Patched p = Zext.insert(asm("mov %r0, 0\nmov32 %r2, 5\nadd %r0, %r2\nexit"));
        assertEquals(1, p.inserted());
        assertEquals(5, p.prog().length);
        assertEquals(Zext.zextInsn(2), p.prog()[2]);
        assertEquals(0, p.prog()[2] >>> 32); // a plain mov32: valid for InsnDecoder and every tool
    }

    @Test
    void noneWhenOnly32BitReadsFollow() throws Exception {
        Zext.Patched p = Zext.insert(asm("mov32 %r2, 5\nadd32 %r2, 1\nmov %r0, 0\nexit"));
        assertEquals(0, p.inserted());
        assertArrayEquals(asm("mov32 %r2, 5\nadd32 %r2, 1\nmov %r0, 0\nexit"), p.prog());
    }

    @Test
    void exitReadsR0AsAWholeRegister() throws Exception {
        Zext.Patched p = Zext.insert(asm("mov32 %r0, 1\nexit"));
        assertEquals(1, p.inserted());
        assertEquals(Zext.zextInsn(0), p.prog()[1]);
    }

    @Test
    void le64AndBe64DefineAndReadTheWholeRegister() throws Exception {
        // Class BPF_ALU but 64-bit, as the kernel's is_reg64 has it: no zero extension after them,
        // and the 32-bit def before be64 needs one, since be64 reads the upper half.
        assertEquals(0, Zext.insert(asm("lddw %r0, 0x1122334455667788\nbe64 %r0\nexit")).inserted());
        assertEquals(0, Zext.insert(asm("lddw %r0, 0x1122334455667788\nle64 %r0\nexit")).inserted());
        Zext.Patched p = Zext.insert(asm("mov32 %r0, -1\nbe64 %r0\nexit"));
        assertEquals(1, p.inserted());
        assertEquals(Zext.zextInsn(0), p.prog()[1]);
    }

    @Test
    void narrowLoadsAreSubregisterDefs() throws Exception {
        Zext.Patched p = Zext.insert(asm("ldxw %r0, [%r1+12]\nexit"));
        assertEquals(1, p.inserted());
    }

    @Test
    void jumpsAndCallsAreAdjusted() throws Exception {
        long[] prog = asm("""
                mov32 %r1, 1
                jeq %r1, 0, skip
                call local f
                skip:
                mov %r0, 0
                exit
                f:
                mov32 %r0, 2
                exit
                """);
        Zext.Patched p = Zext.insert(prog);
        assertEquals(2, p.inserted());
        long[] want = asm("""
                mov32 %r1, 1
                mov32 %r1, %r1
                jeq %r1, 0, skip
                call local f
                skip:
                mov %r0, 0
                exit
                f:
                mov32 %r0, 2
                mov32 %r0, %r0
                exit
                """);
        assertArrayEquals(want, p.prog());
        assertEquals(2, p.newIndex()[1]);
        assertEquals(6, p.newIndex()[5]);
    }

    @Test
    void theVerifierAcceptsThePatchedProgram() throws Exception {
        long[] prog = asm("mov %r0, 0\nmov32 %r2, 5\nadd %r0, %r2\nexit");
        VerifierResult r = Verifier.verify(Zext.insert(prog).prog(), VerifierOptions.of(org.obpf.api.prog.ProgramType.XDP, java.util.List.of()));
        assertEquals(true, r.accepted(), r.log());
    }
}
