package org.obpf.kernelref;

import org.obpf.api.BpfException;
import org.obpf.core.conformance.Engine;

/**
 * The kernel as a conformance engine: each test through {@link FlatRunner}. A program the
 * verifier refuses is a {@link KernelBpfException} carrying the log, as the upstream plugin reports
 * a failed load.
 */
final class KernelEngine implements Engine {
    private final FlatRunner.Mapping mapping;

    KernelEngine(FlatRunner.Mapping mapping) {
        this.mapping = mapping;
    }

    @Override
    public String name() {
        return "kernel-" + mapping.name().toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public long run(long[] program, byte[] memory) throws BpfException {
        FlatRunner.FlatResult r = FlatRunner.run(mapping, program, memory);
        if (!r.accepted()) {
            KernelVerdict v = r.verdict();
            throw new KernelBpfException(v.errno(), "refused by the kernel verifier: " + v.reason(), v.log());
        }
        return r.r0().orElseThrow();
    }
}
