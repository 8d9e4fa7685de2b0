package org.obpf.core.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.obpf.api.insn.Insn;

class HexAndGroupsTest {
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
