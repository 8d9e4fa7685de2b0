package org.obpf.core.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.obpf.api.map.MapSpec;
import org.obpf.api.map.MapType;

/** What the verifier may assume of an inner map: its template's sizes, and its max_entries only without BPF_F_INNER_MAP. */
class MapInMapVerifierTest {
    /** inner = outer[0]; v = inner[0] with a constant key, dereferenced without a null check. */
    private static final String PROG = """
            # type: xdp
            # map: array_of_maps:4:4:1
            # result: accept
            stw [%r10-4], 0
            mov %r2, %r10
            add %r2, -4
            ld_map_fd %r1, 0
            call 1
            jeq %r0, 0, out
            mov %r2, %r10
            add %r2, -4
            mov %r1, %r0
            call 1
            ldxdw %r0, [%r0+0]
            out:
            mov %r0, 2
            exit
            """;

    private static VerifierResult verify(int templateFlags) throws Exception {
        VerifierCase c = VerifierCase.parse("inner-elide.s", PROG);
        return Verifier.verify(c.prog(), c.options(1).withInnerMaps(Map.of(0, new MapSpec("", MapType.ARRAY, 4, 8, 4, templateFlags))));
    }

    @Test
    void aConstantKeyBelowTheTemplatesMaxEntriesNeedsNoNullCheck() throws Exception {
        assertTrue(verify(0).accepted(), () -> verify0Log());
    }

    @Test
    void withBpfFInnerMapTheInnerMapMayBeSmallerSoTheCheckStays() throws Exception {
        VerifierResult r = verify(Verifier.BPF_F_INNER_MAP);
        assertFalse(r.accepted());
        assertEquals("R0 invalid mem access 'map_value_or_null'", r.error());
        assertEquals(11, r.errorInsn());
    }

    private static String verify0Log() {
        try {
            return verify(0).log();
        } catch (Exception e) {
            return e.toString();
        }
    }
}
