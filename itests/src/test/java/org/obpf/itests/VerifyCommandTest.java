package org.obpf.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.obpf.itests.LauncherProcessTest.Result;

/** {@code ./obpf verify}: the verifier's batch entry on raw bytecode, as the README and issue 5 give it. */
class VerifyCommandTest {

    @Test
    void acceptsASafeProgram(@TempDir Path cwd) throws Exception {
        // r0 = 2 (XDP_PASS); exit
        Path prog = Files.writeString(cwd.resolve("pass.hex"), "b7 00 00 00 02 00 00 00\n95 00 00 00 00 00 00 00\n");
        Result r = LauncherProcessTest.obpf(cwd, "verify", "--type", "xdp", prog.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals("ACCEPT", r.out().lines().findFirst().orElse(""));
    }

    @Test
    void rejectsWithTheRuleAndTheInstruction(@TempDir Path cwd) throws Exception {
        // r1 = map[0] (lddw src 1, imm 0, a hash map: an array lookup with a constant in-range key
        // cannot give NULL); r2 = r10 - 4, key 0; call map_lookup_elem; r0 = *(u64 *)r0; exit
        Path prog = Files.writeString(cwd.resolve("null.hex"), """
                18 11 00 00 00 00 00 00  00 00 00 00 00 00 00 00
                bf a2 00 00 00 00 00 00  07 02 00 00 fc ff ff ff
                62 0a fc ff 00 00 00 00
                85 00 00 00 01 00 00 00
                79 00 00 00 00 00 00 00
                95 00 00 00 00 00 00 00
                """);
        Result r = LauncherProcessTest.obpf(cwd, "verify", "--type", "xdp", "--map", "hash:4:8:1", prog.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals("REJECT", r.out().lines().findFirst().orElse(""));
        assertTrue(r.out().contains("R0 invalid mem access 'map_value_or_null'"), r.out());
    }

    @Test
    void badArgumentsExitTwoWithOneLine(@TempDir Path cwd) throws Exception {
        Result r = LauncherProcessTest.obpf(cwd, "verify", "--type", "nosuchtype", cwd.resolve("x.hex").toString());
        assertEquals(2, r.exit());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("verify: "), r.err());
        r = LauncherProcessTest.obpf(cwd, "verify", "--type", "xdp", cwd.resolve("missing.hex").toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("verify: ") && r.err().contains("missing.hex"), r.err());
    }
}
