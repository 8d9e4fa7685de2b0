package org.obpf.kernelref;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/** Without bpf() kernel tests abort, except under CI where they fail. No kernel needed. */
class KernelGuardTest {
    static final KernelBpf.Availability NONE = new KernelBpf.Availability(false, "bpf() probe failed: EPERM");

    @Test
    void abortsWithTheReasonOutsideCi() {
        TestAbortedException e = assertThrows(TestAbortedException.class, () -> Kernel.require(NONE, null));
        assertEquals("bpf() not usable here: bpf() probe failed: EPERM", e.getMessage());
    }

    @Test
    void failsUnderCi() {
        AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> Kernel.require(NONE, "true"));
        assertEquals("CI must run the kernel differential tests, but bpf() is not usable here: bpf() probe failed: EPERM",
                e.getMessage());
    }

    @Test
    void passesWhenAvailable() {
        Kernel.require(new KernelBpf.Availability(true, ""), "true");
    }
}
