package org.obpf.core.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The plugin entry in-process, fed the way bpf_conformance_runner feeds it. */
class ConformancePluginTest {

    record Result(int status, String out, String err) {}

    static Result plugin(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = ConformancePlugin.run(args, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.US_ASCII)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Spaces the hex the way the runner does: two digits per byte, separated by white space. */
    static String spaced(String hex) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < hex.length(); i += 2) sb.append(hex, i, i + 2).append(i % 16 == 14 ? "\n" : "  ");
        return sb.toString();
    }

    // add.data: mov32 r0, 0; mov32 r1, 2; add32 r0, 1; add32 r0, r1; add32 r0, -3 ... = 3
    static final String ADD = "b400000000000000b40100000200000004000000010000000c100000000000000c0000000000000004000000fdffffff9500000000000000";
    // mem-len.data: mov r0, r2; exit
    static final String MEM_LEN = "bf200000000000009500000000000000";
    // ldxdw r0, [r1+0]; exit
    static final String LDXDW = "7910000000000000" + "9500000000000000";

    @Test
    void printsR0InHex() {
        Result r = plugin(spaced(ADD), "--engine", "interp");
        assertEquals(new Result(0, "3\n", ""), r);
    }

    @Test
    void memoryIsTheFirstArgumentBeforeThePluginOptions() {
        assertEquals(new Result(0, "8\n", ""), plugin(spaced(MEM_LEN), "00 00 00 01 00 00 00 02", "--engine", "interp"));
        assertEquals(new Result(0, "1122334455667788\n", ""),
                plugin(spaced(LDXDW), "88 77 66 55 44 33 22 11", "--engine", "interp"));
        // no memory: r1 = r2 = 0
        assertEquals(new Result(0, "0\n", ""), plugin(MEM_LEN));
    }

    @Test
    void unknownEngineIsAUsageErrorListingTheEngines() {
        Result r = plugin(spaced(ADD), "--engine", "vax");
        assertEquals(2, r.status());
        assertEquals("", r.out());
        assertTrue(r.err().startsWith("conformance-plugin: unknown engine 'vax'; engines: interp\n"), r.err());
    }

    @Test
    void aFailingRunExitsNonZeroWithTheReasonAndNoStackTrace() {
        Result r = plugin(spaced(LDXDW), "00 00 00 00", "--engine", "interp");
        assertEquals(1, r.status());
        assertEquals("", r.out());
        assertTrue(r.err().startsWith("conformance-plugin: interp: insn 0 (op 0x79): read of 8 bytes at 0x"), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
        assertEquals(1, r.err().lines().count());
    }

    @Test
    void aRefusedProgramExitsNonZero() {
        // callx r2
        Result r = plugin("8d 02 00 00 00 00 00 00 95 00 00 00 00 00 00 00");
        assertEquals(1, r.status());
        assertTrue(r.err().startsWith("conformance-plugin: interp: insn 0: unknown opcode 8d"), r.err());
    }

    @Test
    void malformedInputIsReported() {
        assertEquals(2, plugin("b4 00 0").status());
        assertTrue(plugin("zz").err().contains("not a hex digit: 'z'"));
        assertTrue(plugin("b4 00 00 00 00 00 00").err().contains("program length 7 is not a multiple of 8 bytes"));
        assertEquals(new Result(2, "", "conformance-plugin: no program on standard input\n"), plugin(" \n"));
    }
}
