package org.obpf.kernelref;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Assumptions;

/** The guard every test that needs bpf() calls first. */
final class Kernel {
    private Kernel() {}

    static final String CI_MESSAGE = "CI must run the kernel differential tests";

    /**
     * Returns if bpf() works here. Otherwise aborts the test with the reason, except under CI
     * (environment variable {@code CI} set), where the kernel differential tests must run: then
     * the test fails.
     */
    static void require() {
        require(KernelBpf.availability(), System.getenv("CI"));
    }

    static void require(KernelBpf.Availability availability, String ciVariable) {
        if (availability.available()) return;
        if (ciVariable != null) {
            fail(CI_MESSAGE + ", but bpf() is not usable here: " + availability.reason());
        }
        Assumptions.abort("bpf() not usable here: " + availability.reason());
    }
}
