package org.obpf.kernelref;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Assumptions;

/** The guard every test that needs bpf() calls first. */
final class Kernel {
    private Kernel() {}

    /**
     * Returns if bpf() works here. Otherwise aborts the test with the reason, except under CI
     * (environment variable {@code CI} set), where the kernel differential tests must run: then
     * the test fails.
     */
    static void require() {
        if (KernelBpf.available()) return;
        String reason = KernelBpf.unavailableReason();
        if (System.getenv("CI") != null) {
            fail("CI must run the kernel differential tests, but bpf() is not usable: " + reason);
        }
        Assumptions.abort("bpf() not usable here: " + reason);
    }
}
