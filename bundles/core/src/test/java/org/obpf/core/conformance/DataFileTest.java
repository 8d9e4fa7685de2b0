package org.obpf.core.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.obpf.api.insn.Insn;

class DataFileTest {

    @Test
    void parsesMemoryResultAndOptionalFeatures() {
        DataFile f = DataFile.parse("t.data", """
                # comment
                -- asm
                mov %r0, %r2
                exit
                -- mem
                00 00 00 01
                ff 7f
                -- no register offset
                call instruction
                -- result
                0x8
                """);
        assertArrayEquals(new byte[] {0, 0, 0, 1, (byte) 0xff, 0x7f}, f.memory());
        assertEquals(8, f.result());
        assertEquals(List.of("call instruction"), f.notRequired());
    }

    @Test
    void resultIsUnsignedHexWithOrWithout0x() {
        assertEquals(0, DataFile.parse("a", "-- result\n0\n").result());
        assertEquals(-1L, DataFile.parse("b", "-- result\n0xffffffffffffffff\n").result());
        assertEquals(0x10000000aL, DataFile.parse("c", "-- result\n0x10000000A\n").result());
        assertEquals(0, DataFile.parse("d", "-- asm\nexit\n-- result\n0x0\n").memory().length);
        assertThrows(IllegalArgumentException.class, () -> DataFile.parse("e", "-- asm\nexit\n"));
        assertThrows(IllegalArgumentException.class, () -> DataFile.parse("f", "-- result\n0x10000000000000000\n"));
    }

    @Test
    void hexIgnoresWhiteSpaceAndWordsAreLittleEndian() {
        assertArrayEquals(new byte[] {(byte) 0xb4, 0, 0x12}, Hex.bytes(" b4  00\n\t12 "));
        long[] words = Hex.words(Hex.bytes("b4 01 00 00 02 00 00 00 95 00 00 00 00 00 00 00"));
        assertEquals(Insn.encode(0xb4, 1, 0, 0, 2), words[0]);
        assertEquals(Insn.encode(0x95, 0, 0, 0, 0), words[1]);
        assertThrows(IllegalArgumentException.class, () -> Hex.bytes("abc"));
    }

    @Test
    void groupsFollowRfc9669() {
        long mov32 = Insn.encode(0xb4, 0, 0, 0, 0);
        long mul64 = Insn.encode(0x27, 0, 0, 0, 3);
        long atomic32 = Insn.encode(0xc3, 10, 1, -8, 0);
        long exit = Insn.encode(0x95, 0, 0, 0, 0);
        long lddw = Insn.encode(0x18, 0, 0, 0, 1);
        assertEquals(Set.of("base32"), Groups.required(new long[] {mov32, exit}));
        assertEquals(Set.of("base32", "base64", "divmul64", "atomic32"),
                Groups.required(new long[] {mul64, atomic32, lddw, 0, exit, Insn.encode(0x15, 0, 0, 0, 0)}));
        assertEquals(Set.of("base32", "callx"), Groups.required(new long[] {Insn.encode(0x8d, 2, 0, 0, 0), exit}));
        assertEquals(Set.of("base32", "packet"), Groups.required(new long[] {Insn.encode(0x20, 0, 0, 0, 0), exit}));
    }
}
