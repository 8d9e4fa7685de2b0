package org.obpf.kernelref;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** Parsing the verifier's log: no kernel needed. */
class VerifierStatsTest {

    static final String REFUSAL = """
            0: R1=ctx() R10=fp0
            0: (b7) r0 = 0                        ; R0=0
            1: (61) r0 = *(u32 *)(r1 +4)
            invalid bpf_context access off=4 size=4
            verification time 157 usec
            stack depth 0+16
            processed 2 insns (limit 1000000) max_states_per_insn 3 total_states 4 peak_states 5 mark_read 6
            """;

    @Test
    void everyFigureOfTheStatsLines() {
        assertEquals(Optional.of(new VerifierStats(2, 1_000_000, 3, 4, 5, 6, OptionalLong.of(157), List.of(0, 16))),
                VerifierStats.parse(REFUSAL));
    }

    @Test
    void withoutStatsFlagOrMarkRead() {
        String log = "processed 17 insns (limit 1000000) max_states_per_insn 1 total_states 2 peak_states 2\n";
        assertEquals(Optional.of(new VerifierStats(17, 1_000_000, 1, 2, 2, -1, OptionalLong.empty(), List.of())),
                VerifierStats.parse(log));
        assertEquals(Optional.empty(), VerifierStats.parse("R0 !read_ok\n"));
    }

    @Test
    void reasonIsTheFirstLineOutsideTheTrace() {
        assertEquals("invalid bpf_context access off=4 size=4", VerifierStats.reason(REFUSAL));
        String subprog = """
                9: (85) call pc+3
                caller:
                 R7=pkt(r=8) R10=fp0
                callee:
                 frame1: R1=pkt(r=8) R2=14 R10=fp0
                13: frame1: R1=pkt(r=8) R2=14 R10=fp0
                13: (61) r0 = *(u32 *)(r1 +8)
                invalid access to packet, off=8 size=4, R1(id=0,off=8,r=8)
                R1 offset is outside of the packet
                processed 11 insns (limit 1000000) max_states_per_insn 0 total_states 1 peak_states 1 mark_read 0
                """;
        assertEquals("invalid access to packet, off=8 size=4, R1(id=0,off=8,r=8)", VerifierStats.reason(subprog));
        assertEquals("Syscall programs can only be sleepable", VerifierStats.reason("Syscall programs can only be sleepable\n"));
        assertEquals("", VerifierStats.reason(""));
    }
}
