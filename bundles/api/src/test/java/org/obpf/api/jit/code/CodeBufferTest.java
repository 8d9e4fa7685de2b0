package org.obpf.api.jit.code;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.obpf.api.jit.Relocation;
import org.obpf.api.jit.Symbol;

class CodeBufferTest {
    static final int[] JMP8 = {0xeb};
    static final int[] JMP32 = {0xe9};

    @Test
    void bytesAreLittleEndian() {
        CodeBuffer b = new CodeBuffer();
        b.emit8(0x90).emit16(0x1234).emit32(0xdeadbeef).emit64(0x0102030405060708L).emit(0xc3, 0x1cc);
        assertArrayEquals(new byte[] {(byte) 0x90, 0x34, 0x12, (byte) 0xef, (byte) 0xbe, (byte) 0xad, (byte) 0xde,
            8, 7, 6, 5, 4, 3, 2, 1, (byte) 0xc3, (byte) 0xcc}, b.bytes());
        assertEquals(17, b.offset());
        b.put32(1, 0x01020304);
        assertEquals(0x04, b.get8(1));
        assertThrows(IndexOutOfBoundsException.class, () -> b.put32(15, 0));
    }

    @Test
    void backwardFixupIsPatchedAtOnceForwardOneWhenTheLabelBinds() {
        CodeBuffer b = new CodeBuffer();
        var top = b.newLabel();
        b.bind(top);
        b.emit8(0x90);
        b.emit8(0xeb);
        b.emit8(0);
        b.fixup(top, 2, 1, 3); // jmp top: -3
        var end = b.newLabel();
        b.emit8(0xe9);
        b.emit32(0);
        b.fixup(end, 4, 4, 8);
        assertEquals(0, b.get8(4), "not bound yet");
        b.emit(0x90, 0x90);
        b.bind(end);
        b.finish();
        assertArrayEquals(new byte[] {(byte) 0x90, (byte) 0xeb, (byte) 0xfd, (byte) 0xe9, 2, 0, 0, 0, (byte) 0x90, (byte) 0x90}, b.bytes());
        assertEquals(10, b.offsetOf(end));
        assertTrue(b.isBound(end));
    }

    @Test
    void unboundLabelsAndOutOfRangeFieldsAreErrors() {
        CodeBuffer b = new CodeBuffer();
        var never = b.newLabel();
        b.emit8(0xeb).emit8(0);
        b.fixup(never, 1, 1, 2);
        assertEquals("label L0 referred to at 1 was never bound",
                assertThrows(IllegalStateException.class, b::finish).getMessage());

        CodeBuffer c = new CodeBuffer();
        var far = c.newLabel();
        c.emit8(0xeb).emit8(0);
        c.fixup(far, 1, 1, 2);
        for (int i = 0; i < 200; i++) c.emit8(0x90);
        assertThrows(IllegalStateException.class, () -> c.bind(far));
        var other = new CodeBuffer().newLabel();
        assertThrows(IllegalArgumentException.class, () -> c.bind(other));
        var once = c.newLabel();
        c.bind(once);
        assertThrows(IllegalStateException.class, () -> c.bind(once));
    }

    @Test
    void fieldEncoderWritesScatteredBits() {
        CodeBuffer b = new CodeBuffer();
        var l = b.newLabel();
        b.emit32(0);
        // a made-up field: displacement / 2 in bits 8..15 of the word
        b.fixup(l, 0, 0, (code, at, d) -> {
            if ((d & 1) != 0 || d / 2 > 255) return false;
            code[at + 1] = (byte) (d / 2);
            return true;
        });
        b.emit32(0);
        b.emit16(0);
        b.bind(l);
        assertEquals(5, b.get8(1));
    }

    @Test
    void relocationsAreRecordedInCodeOrder() {
        CodeBuffer b = new CodeBuffer();
        b.emit64(0);
        b.emit64(0);
        b.relocate(8, 1, "R_X86_64_64", Symbol.helper(5), 0);
        b.relocate(0, 1, "R_X86_64_64", Symbol.mapValue(2), 16);
        assertEquals(List.of(new Relocation(0, 1, "R_X86_64_64", Symbol.mapValue(2), 16),
                new Relocation(8, 1, "R_X86_64_64", Symbol.helper(5), 0)), b.relocations());
    }

    /** jmp over n bytes of filler to a label after it. */
    static void jumpOver(CodeBuffer b, int n) {
        var l = b.newLabel();
        b.branch(l, JMP8, JMP32);
        for (int i = 0; i < n; i++) b.emit8(0x90);
        b.bind(l);
        b.emit8(0xc3);
    }

    @Test
    void forwardBranchesStartNearAndBecomeShortWhenInRange() {
        AtomicInteger passes = new AtomicInteger();
        CodeBuffer b = CodeBuffer.converge(buf -> {
            passes.incrementAndGet();
            jumpOver(buf, 127);
        });
        assertEquals(2 + 127 + 1, b.offset());
        assertEquals(0xeb, b.get8(0));
        assertEquals(127, b.get8(1));
        assertEquals(3, passes.get(), "near, short, then the same size again");

        CodeBuffer far = CodeBuffer.converge(buf -> jumpOver(buf, 128));
        assertEquals(5 + 128 + 1, far.offset());
        assertEquals(0xe9, far.get8(0));
        assertEquals(128, far.get8(1));
    }

    @Test
    void backwardBranchesAreShortFromTheFirstPass() {
        CodeBuffer b = new CodeBuffer();
        var top = b.newLabel();
        b.bind(top);
        for (int i = 0; i < 126; i++) b.emit8(0x90);
        b.branch(top, JMP8, JMP32);
        assertEquals(0xeb, b.get8(126));
        assertEquals(0x80, b.get8(127)); // -128
        b.branch(top, JMP8, JMP32);
        assertEquals(0xe9, b.get8(128));
        assertFalse(b.offset() == 130);
    }

    @Test
    void shrinkingOneBranchLetsAnotherBecomeShort() {
        // b1 jumps over b2 and 122 bytes; b2 jumps over 130 bytes: b2 stays near (5 bytes), so b1
        // spans 5 + 122 + ... Arrange b1 to fit only once b2's size is final.
        CodeBuffer b = CodeBuffer.converge(buf -> {
            var l1 = buf.newLabel();
            var l2 = buf.newLabel();
            buf.branch(l1, JMP8, JMP32);
            buf.branch(l2, JMP8, JMP32);
            for (int i = 0; i < 100; i++) buf.emit8(0x90);
            buf.bind(l2);
            for (int i = 0; i < 25; i++) buf.emit8(0x90);
            buf.bind(l1);
            buf.emit8(0xc3);
        });
        // b2 short (100 bytes), b1 short: 2 + 100 + 25 = 127
        assertEquals(0xeb, b.get8(0));
        assertEquals(127, b.get8(1));
        assertEquals(0xeb, b.get8(2));
        assertEquals(100, b.get8(3));
        assertEquals(2 + 2 + 100 + 25 + 1, b.offset());
    }

    @Test
    void nonConvergingEmitterIsRefused() {
        AtomicInteger pass = new AtomicInteger();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> CodeBuffer.converge(buf -> {
                    int n = pass.getAndIncrement();
                    for (int i = 0; i <= n; i++) buf.emit8(0x90);
                }));
        assertEquals("code size did not converge after 20 passes", e.getMessage());
    }
}
