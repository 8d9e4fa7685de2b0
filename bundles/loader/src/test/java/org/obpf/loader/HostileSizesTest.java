package org.obpf.loader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.obpf.api.insn.Insn;
import org.obpf.api.obj.BpfObject;
import org.obpf.api.obj.LoadException;

/**
 * Files with counts no compiler emits but an attacker can write: every step of the loader stays
 * linear in the file size, so these load or fail within a few seconds.
 */
class HostileSizesTest {
    private static final long EXIT = Insn.encode(0x95, 0, 0, 0, 0);
    private static final long MOV_R0_2 = Insn.encode(0xb7, 0, 0, 0, 2);
    private static final Duration BOUND = Duration.ofSeconds(10);
    private final ElfBuilder elf = new ElfBuilder();

    private static byte[] insns(long... words) {
        ByteBuffer b = ByteBuffer.allocate(8 * words.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long w : words) b.putLong(w);
        return b.array();
    }

    @Test
    void twentyThousandProgramSections() {
        int n = 20_000;
        int name = elf.string("p");
        for (int i = 0; i < n; i++) {
            int sec = elf.code("xdp", insns(MOV_R0_2, EXIT));
            elf.symbol(name, 2, 1, sec, 0, 16);
        }
        byte[] f = elf.build();
        BpfObject o = assertTimeoutPreemptively(BOUND, () -> new ElfObjectLoader().load("many.o", f));
        assertEquals(n, o.programs().size());
        assertEquals(2, o.programs().get(n - 1).length());
    }

    @Test
    void twentyThousandMapRelocationsAgainstTwentyThousandLegacyMaps() {
        int n = 20_000;
        long[] code = new long[2 * n + 1];
        for (int i = 0; i < n; i++) code[2 * i] = Insn.encode(0x18, 1, 0, 0, 0);
        code[2 * n] = EXIT;
        int xdp = elf.code("xdp", insns(code));
        ByteBuffer defs = ByteBuffer.allocate(20 * n).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) defs.putInt(2).putInt(4).putInt(8).putInt(1).putInt(0);
        int maps = elf.section("maps", 1, 0x3, defs.array(), 0, 0, 0);
        int[] syms = new int[n];
        for (int i = 0; i < n; i++) syms[i] = elf.symbol(elf.string("m" + i), 1, 1, maps, 20L * i, 20);
        elf.symbol(elf.string("prog"), 2, 1, xdp, 0, 8L * code.length);
        ByteArrayOutputStream rels = new ByteArrayOutputStream();
        for (int i = 0; i < n; i++) rels.writeBytes(ElfBuilder.rel(16L * i, syms[n - 1 - i], 1));
        elf.rel(".relxdp", xdp, rels.toByteArray());
        byte[] f = elf.build();
        BpfObject o = assertTimeoutPreemptively(BOUND, () -> new ElfObjectLoader().load("maps.o", f));
        assertEquals(n, o.maps().size());
        long[] p = o.programs().get(0).insns();
        assertEquals(Insn.encode(0x18, 1, 5, 0, n - 1), p[0]); // BPF_PSEUDO_MAP_IDX, last map first
        assertEquals(Insn.encode(0x18, 1, 5, 0, 0), p[2 * (n - 1)]);
    }

    @Test
    void subProgramCallsThatWouldExpandBeyondTheLimit() {
        int progs = 2_000, textLen = 2_500;
        long[] text = new long[textLen];
        Arrays.fill(text, MOV_R0_2);
        text[textLen - 1] = EXIT;
        int textSec = elf.code(".text", insns(text));
        elf.symbol(elf.string("big"), 2, 0, textSec, 0, 8L * textLen);
        int name = elf.string("caller");
        for (int i = 0; i < progs; i++) {
            int sec = elf.code("xdp", insns(Insn.encode(0x85, 0, 1, 0, -1), EXIT));
            elf.symbol(name, 2, 1, sec, 0, 16);
        }
        byte[] f = elf.build();
        // calls without relocations from a non-.text section are refused at the first program; with
        // relocations each program would append the 2500-slot function: 5M slots in all
        LoadException e = assertThrows(LoadException.class,
                () -> assertTimeoutPreemptively(BOUND, () -> new ElfObjectLoader().load("calls.o", f)));
        assertTrue(e.getMessage().contains("BPF-to-BPF call without a relocation"), e.getMessage());

        ElfBuilder withRelocs = new ElfBuilder();
        int t = withRelocs.code(".text", insns(text));
        int big = withRelocs.symbol(withRelocs.string("big"), 2, 0, t, 0, 8L * textLen);
        int caller = withRelocs.string("caller");
        for (int i = 0; i < progs; i++) {
            int sec = withRelocs.code("xdp", insns(Insn.encode(0x85, 0, 1, 0, -1), EXIT));
            withRelocs.symbol(caller, 2, 1, sec, 0, 16);
            withRelocs.rel(".relxdp", sec, ElfBuilder.rel(0, big, 10));
        }
        byte[] g = withRelocs.build();
        LoadException e2 = assertThrows(LoadException.class,
                () -> assertTimeoutPreemptively(BOUND, () -> new ElfObjectLoader().load("calls.o", g)));
        assertTrue(e2.getMessage().contains("the object's programs exceed 4000000 instructions in total"), e2.getMessage());
    }

    @Test
    void symbolsNamingLongStringsHitTheStringBound() {
        // one 1 MiB name without NUL until its end, and 20000 symbols each starting one byte later
        int base = elf.string("x".repeat(1 << 20));
        int sec = elf.code("xdp", insns(MOV_R0_2, EXIT));
        for (int i = 0; i < 20_000; i++) elf.symbol(base + i, 1, 1, sec, 0, 0);
        byte[] f = elf.build();
        LoadException e = assertThrows(LoadException.class,
                () -> assertTimeoutPreemptively(BOUND, () -> new ElfObjectLoader().load("names.o", f)));
        assertTrue(e.getMessage().contains("symbol names: strings referenced from the table exceed 67108864 bytes"), e.getMessage());
    }
}
