package org.obpf.core.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.obpf.api.map.MapSpec;
import org.obpf.api.map.MapType;

/** The batch entry in-process: verdict lines, logs, exit codes and one-line errors. */
class VerifyTest {
    @TempDir
    Path dir;

    record Result(int status, String out, String err) {}

    static Result verify(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Verify.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    // mov r0, 0; exit
    static final String RETURN_ZERO = "b7 00 00 00 00 00 00 00\n95 00 00 00 00 00 00 00\n";
    // exit (R0 never set)
    static final String EXIT_ONLY = "9500000000000000";
    // r2 = r10; r2 += -4; *(u32 *)(r10 - 4) = 0; r1 = map[0] (lddw src 1); call map_lookup_elem;
    // r0 = *(u32 *)(r0 + 0); exit  -- no null check
    static final String LOOKUP_NO_CHECK = "bfa2000000000000 07020000fcffffff 620afcff00000000 1811000000000000 0000000000000000"
            + " 8500000001000000 6100000000000000 9500000000000000";

    Path file(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    @Test
    void acceptsAndPrintsTheStatistics() throws IOException {
        Result r = verify("--type", "xdp", file("ok.hex", RETURN_ZERO).toString());
        assertEquals(0, r.status());
        assertEquals("", r.err());
        // Level 1 keeps the failing path only: an accepted program gets the statistics.
        assertTrue(r.out().startsWith("ACCEPT\nprocessed 2 insns (limit 1000000) "), r.out());
    }

    @Test
    void rejectsWithTheRuleAndExitsZero() throws IOException {
        Result r = verify("--type", "xdp", file("bad.hex", EXIT_ONLY).toString());
        assertEquals(0, r.status());
        assertTrue(r.out().startsWith("REJECT\n"), r.out());
        assertTrue(r.out().contains("0: (95) exit\n0: R1=ctx() R10=fp0\nR0 !read_ok\n"), r.out());
    }

    @Test
    void levelZeroPrintsOnlyTheRule() throws IOException {
        Result r = verify("--type=xdp", "--log-level=0", file("bad.hex", EXIT_ONLY).toString());
        assertEquals(new Result(0, "REJECT\nR0 !read_ok\n", ""), r);
        Result ok = verify("--type=xdp", "--log-level", "0", file("ok.hex", RETURN_ZERO).toString());
        assertEquals(new Result(0, "ACCEPT\n", ""), ok);
    }

    @Test
    void levelTwoPrintsEveryState() throws IOException {
        Result r = verify("--type", "xdp", "--log-level", "2", file("ok.hex", RETURN_ZERO).toString());
        assertTrue(r.out().contains("0: R1=ctx() R10=fp0\n0: (b7) r0 = 0\n1: R0=0 R1=ctx() R10=fp0\n1: (95) exit\n"), r.out());
    }

    @Test
    void mapsAreNamedByIndex() throws IOException {
        Path p = file("lookup.hex", LOOKUP_NO_CHECK);
        Result r = verify("--type", "xdp", "--map", "hash:4:8:16", p.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().startsWith("REJECT\n"), r.out());
        assertTrue(r.out().contains("R0 invalid mem access 'map_value_or_null'"), r.out());
        Result noMap = verify("--type", "xdp", p.toString());
        assertTrue(noMap.out().contains("fd 0 is not pointing to valid bpf_map"), noMap.out());
    }

    @Test
    void readsBinaryFiles() throws IOException {
        Path p = dir.resolve("prog.bin");
        Files.write(p, new byte[] {(byte) 0xb7, 0, 0, 0, 0, 0, 0, 0, (byte) 0x95, 0, 0, 0, 0, 0, 0, 0});
        assertTrue(verify("--type", "socket_filter", p.toString()).out().startsWith("ACCEPT\n"));
    }

    @Test
    void errorsAreOneLineWithStatusTwo() throws IOException {
        Path ok = file("ok.hex", RETURN_ZERO);
        for (String[] args : new String[][] {
                {"--type", "nosuch", ok.toString()},
                {ok.toString()},
                {"--type", "xdp"},
                {"--type", "xdp", "--map", "hash:4:8", ok.toString()},
                {"--type", "xdp", "--map", "nosuch:4:8:1", ok.toString()},
                {"--type", "xdp", "--map", "hash:four:8:1", ok.toString()},
                {"--type", "xdp", "--log-level", "7", ok.toString()},
                {"--type", "xdp", "--bogus", ok.toString()},
                {"--type", "xdp", dir.resolve("missing.hex").toString()},
                {"--type", "xdp", file("odd.hex", "b7 00 00").toString()},
                {"--type", "xdp", file("empty.hex", "\n").toString()},
                {"--type"}}) {
            Result r = verify(args);
            assertEquals(2, r.status(), String.join(" ", args));
            assertEquals("", r.out(), String.join(" ", args));
            assertTrue(r.err().startsWith("verify: ") && r.err().indexOf('\n') == r.err().length() - 1,
                    String.join(" ", args) + " -> " + r.err());
        }
    }

    @Test
    void parsesMapSpecs() {
        assertEquals(new MapSpec("", MapType.RINGBUF, 0, 0, 4096, 0), Verify.parseMap("ringbuf:0:0:4096"));
        assertEquals(new MapSpec("", MapType.PERCPU_ARRAY, 4, 16, 1, 0), Verify.parseMap("percpu_array:4:16:1"));
    }
}
