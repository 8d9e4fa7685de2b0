package org.obpf.examples.jit.bpf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.obpf.api.insn.Insn;
import org.obpf.api.jit.CompileRequest;
import org.obpf.api.jit.JitException;
import org.obpf.api.jit.LinkException;
import org.obpf.api.jit.LinkedImage;
import org.obpf.api.jit.RelocatableImage;
import org.obpf.api.jit.Relocation;
import org.obpf.api.jit.Symbol;
import org.obpf.api.jit.SymbolTable;
import org.obpf.api.prog.ProgramType;
import org.junit.jupiter.api.Test;

class BpfJitBackendTest {
    private final BpfJitBackend jit = new BpfJitBackend();

    // r1 = map#2 (lddw src 5); r2 = map_value#0 + 16 (lddw src 6); call helper 1; call +1 (sub-program); exit;
    // sub-program: r0 = 0; exit
    private static final long[] PROGRAM = {
        Insn.encode(0x18, 1, 5, 0, 2), Insn.encode(0, 0, 0, 0, 0),
        Insn.encode(0x18, 2, 6, 0, 0), Insn.encode(0, 0, 0, 0, 16),
        Insn.encode(0x85, 0, 0, 0, 1),
        Insn.encode(0x85, 0, 1, 0, 1),
        Insn.encode(0x95, 0, 0, 0, 0),
        Insn.encode(0xb7, 0, 0, 0, 0),
        Insn.encode(0x95, 0, 0, 0, 0),
    };

    private RelocatableImage compile() throws JitException {
        return jit.compile(new CompileRequest("t", ProgramType.XDP, PROGRAM, new int[] {0, 7}, null, false, null));
    }

    @Test
    void compileRecordsEveryExternalReference() throws JitException {
        RelocatableImage img = compile();
        assertEquals(List.of(
                new Relocation(0, 1, "R_BPF_64_64", Symbol.map(2), 0),
                new Relocation(16, 1, "R_BPF_64_64", Symbol.mapValue(0), 16),
                new Relocation(32, 10, "R_BPF_64_32", Symbol.helper(1), 0)), img.relocations());
        assertArrayEquals(new int[] {0, 56}, img.subprogOffsets());
        long[] words = words(img.code());
        assertEquals(Insn.encode(0x18, 1, 0, 0, 0), words[0], "pseudo source cleared, immediate left to link");
        assertEquals(Insn.encode(0x85, 0, 1, 0, 1), words[5], "BPF-to-BPF call stays PC-relative");
    }

    @Test
    void linkingAtTwoAddressesGivesTwoBindings() throws Exception {
        RelocatableImage img = compile();
        for (long base : new long[] {0x1000, 0x7f00_0000_2000L}) {
            SymbolTable syms = SymbolTable.at(base)
                    .bind(Symbol.map(2), 0x1122_3344_5566_7788L + base)
                    .bind(Symbol.mapValue(0), 0x4000_0000L)
                    .bind(Symbol.helper(1), 0x100).build();
            LinkedImage linked = jit.link(img, syms);
            long[] w = words(linked.code());
            long mapAddr = 0x1122_3344_5566_7788L + base;
            assertEquals((int) mapAddr, Insn.imm(w[0]));
            assertEquals((int) (mapAddr >>> 32), Insn.imm(w[1]));
            assertEquals(0x4000_0010, Insn.imm(w[2]));
            assertEquals(0, Insn.imm(w[3]));
            assertEquals(0x100, Insn.imm(w[4]));
            assertEquals(base, linked.entryAddress());
        }
    }

    @Test
    void linkNamesEveryMissingSymbol() throws JitException {
        LinkException e = assertThrows(LinkException.class, () -> jit.link(compile(), SymbolTable.at(0).build()));
        assertEquals(3, e.problems().size());
        assertTrue(e.getMessage().contains("unresolved symbol map#2 at offset 0"), e.getMessage());
        assertTrue(e.getMessage().contains("helper#1"), e.getMessage());
    }

    @Test
    void helperAddressOutOfCallRangeIsRefused() throws JitException {
        SymbolTable syms = SymbolTable.at(0).bind(Symbol.map(2), 1).bind(Symbol.mapValue(0), 2)
                .bind(Symbol.helper(1), 0x1_0000_0000L).build();
        LinkException e = assertThrows(LinkException.class, () -> jit.link(compile(), syms));
        assertEquals(List.of("helper#1 = 0x100000000 does not fit the 32-bit call immediate at offset 32"), e.problems());
    }

    @Test
    void unresolvedPseudoSourceIsRefusedWithItsInstruction() {
        long[] prog = {Insn.encode(0x18, 1, 1, 0, 3), 0, Insn.encode(0x95, 0, 0, 0, 0)};
        JitException e = assertThrows(JitException.class, () -> jit.compile(CompileRequest.of("t", ProgramType.XDP, prog)));
        assertEquals(0, e.insnIndex());
        assertTrue(e.getMessage().contains("pseudo source 1"), e.getMessage());
    }

    private static long[] words(byte[] code) {
        ByteBuffer b = ByteBuffer.wrap(code).order(ByteOrder.LITTLE_ENDIAN);
        long[] w = new long[code.length / 8];
        for (int i = 0; i < w.length; i++) w[i] = b.getLong();
        return w;
    }
}
