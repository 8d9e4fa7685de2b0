package org.obpf.kernelref;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.obpf.api.map.MapSpec;
import org.obpf.api.map.MapType;
import org.obpf.core.verifier.Verifier;
import org.obpf.core.verifier.VerifierCase;
import org.obpf.core.verifier.VerifierResult;

/**
 * An inner map's value reached with a constant key and no null check: the kernel and OBPF both
 * trust the template's max_entries, except with {@code BPF_F_INNER_MAP} (inner maps of any size).
 */
class MapInMapKernelTest {
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

    @ParameterizedTest(name = "template flags {0}")
    @ValueSource(ints = {0, 1 << 12})
    void innerMapNullnessAsTheKernel(int flags) throws Exception {
        Kernel.require();
        VerifierCase c = VerifierCase.parse("inner-elide.s", PROG);
        Map<Integer, MapSpec> inner = Map.of(0, new MapSpec("", MapType.ARRAY, 4, 8, 4, flags));
        VerifierResult ours = Verifier.verify(c.prog(), c.options(0).withInnerMaps(inner));
        KernelVerdict k = KernelVerifier.verify(ProgLoadAttr.of(c.type(), c.prog()), c.maps(), inner);
        assertEquals(flags == 0, ours.accepted(), ours.toString());
        assertEquals(ours.accepted(), k.accepted(), "kernel: " + k + "\n" + k.log());
    }
}
