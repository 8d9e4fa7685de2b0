package org.obpf.api.registry;

import java.util.Objects;

/**
 * The verifier's verdict on one program, as {@code BPF_PROG_LOAD}'s log shows it.
 *
 * @param program     the program's name
 * @param accepted    every path is safe
 * @param error       the rule broken, or null
 * @param errorInsn   the rejected instruction slot, or -1
 * @param log         the verifier log at the level asked for
 * @param processed   instructions processed ({@code insn_processed})
 * @param totalStates states stored
 * @param peakStates  most states stored at once
 * @param nanos       verification time
 */
public record VerifyReport(String program, boolean accepted, String error, int errorInsn, String log, int processed,
                           int totalStates, int peakStates, long nanos) {
    public VerifyReport {
        Objects.requireNonNull(program, "program");
        log = log == null ? "" : log;
    }
}
