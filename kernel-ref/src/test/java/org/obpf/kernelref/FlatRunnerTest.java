package org.obpf.kernelref;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.obpf.api.text.Assembler;

/** OBPF's flat programs on the kernel: the wrappers, then runs. */
class FlatRunnerTest {

    static long[] asm(String s) throws Exception {
        return Assembler.assemble(s);
    }

    @Test
    void syscallWrapperWithMemoryCallsTheProgramAsItsSubprogram() throws Exception {
        long[] program = asm("mov %r0, %r2\nexit");
        long[] wrapped = FlatRunner.syscallWrapper(program, 8);
        long[] head = asm("""
                mov %r6, %r1
                lddw %r1, 0
                mov %r2, 8
                call local +3
                stxdw [%r6+0], %r0
                mov %r0, 0
                exit
                """);
        head[1] |= 2L << 12; // BPF_PSEUDO_MAP_VALUE
        long[] expected = new long[head.length + program.length];
        System.arraycopy(head, 0, expected, 0, head.length);
        System.arraycopy(program, 0, expected, head.length, program.length);
        assertArrayEquals(expected, wrapped);
    }

    @Test
    void syscallWrapperWithoutMemoryPassesZeros() throws Exception {
        long[] program = asm("mov %r0, 1\nexit");
        long[] expected = asm("""
                mov %r6, %r1
                mov %r1, 0
                mov %r2, 0
                call local +3
                stxdw [%r6+0], %r0
                mov %r0, 0
                exit
                mov %r0, 1
                exit
                """);
        assertArrayEquals(expected, FlatRunner.syscallWrapper(program, 0));
    }

    @Test
    void fullSixtyFourBitR0AndMemoryLength() throws Exception {
        Kernel.require();
        FlatRunner.FlatResult r = FlatRunner.run(asm("lddw %r0, 0x123456789abcdef0\nexit"), null);
        assertTrue(r.accepted());
        assertEquals(0x123456789abcdef0L, r.r0().getAsLong());
        assertEquals(8, FlatRunner.run(asm("mov %r0, %r2\nexit"), new byte[8]).r0().getAsLong());
        assertEquals(0, FlatRunner.run(asm("mov %r0, %r1\nexit"), null).r0().getAsLong(), "no memory: r1 = 0");
    }

    @Test
    void memoryIsAMapValueReadUnalignedAndWritable() throws Exception {
        Kernel.require();
        byte[] mem = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, (byte) 0x88};
        assertEquals(0x55443322L, FlatRunner.run(asm("ldxw %r0, [%r1+1]\nexit"), mem).r0().getAsLong());
        FlatRunner.FlatResult stored = FlatRunner.run(asm("stb [%r1+7], 0x99\nldxb %r0, [%r1+7]\nexit"), mem);
        assertEquals(0x99L, stored.r0().getAsLong());
        byte[] after = mem.clone();
        after[7] = (byte) 0x99;
        assertArrayEquals(after, stored.memory().orElseThrow(), "the memory as the program left it");
        FlatRunner.FlatResult past = FlatRunner.run(asm("ldxw %r0, [%r1+6]\nexit"), mem);
        assertFalse(past.accepted());
        assertEquals("invalid access to map value, value_size=8 off=6 size=4", past.verdict().reason());
    }

    @Test
    void xdpMappingBoundsThePacketAtEightBytes() throws Exception {
        Kernel.require();
        byte[] mem = new byte[16];
        mem[3] = 7;
        FlatRunner.FlatResult ok = FlatRunner.run(FlatRunner.Mapping.XDP, asm("ldxb %r0, [%r1+3]\nexit"), mem);
        assertEquals(7, ok.r0().getAsLong());
        FlatRunner.FlatResult refused = FlatRunner.run(FlatRunner.Mapping.XDP, asm("ldxb %r0, [%r1+8]\nexit"), mem);
        assertEquals("invalid access to packet, off=8 size=1, R1(id=0,off=8,r=8)", refused.verdict().reason());
        assertEquals("EACCES", refused.verdict().errnoName());
    }
}
