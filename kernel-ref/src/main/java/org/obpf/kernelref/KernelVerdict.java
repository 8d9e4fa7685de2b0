package org.obpf.kernelref;

import java.util.Optional;

/**
 * The kernel verifier's verdict on a program: accepted or refused (with the errno
 * {@code BPF_PROG_LOAD} returned), the whole log, the statistics parsed from it and, for an
 * accepted program, what {@code BPF_OBJ_GET_INFO_BY_FD} says about the loaded code.
 */
public record KernelVerdict(boolean accepted, int errno, String log, Optional<VerifierStats> stats,
                            Optional<ProgInfo> info) {

    /** The verifier's complaint (see {@link VerifierStats#reason}); empty for an accepted program. */
    public String reason() {
        return accepted ? "" : VerifierStats.reason(log);
    }

    /** {@code EACCES}, {@code EINVAL} ... for a refusal; empty when accepted. */
    public String errnoName() {
        return accepted ? "" : KernelBpfException.errnoName(errno);
    }

    @Override
    public String toString() {
        return accepted
                ? "accepted" + stats.map(s -> " (" + s.insnsProcessed() + " insns processed)").orElse("")
                : "refused " + errnoName() + ": " + reason();
    }
}
