package org.obpf.core.verifier;

import java.util.List;
import org.obpf.api.BpfException;
import org.obpf.api.Errno;

/**
 * The verifier's verdict and what it measured.
 *
 * @param accepted       true when every path is safe
 * @param error          the rule broken, in the kernel's words (may span lines), or null
 * @param errorInsn      slot index of the rejected instruction, or -1
 * @param log            the verifier log at the requested level
 * @param processed      instructions processed over all paths ({@code insn_processed})
 * @param totalStates    states stored for pruning ({@code total_states})
 * @param peakStates     most states stored at once ({@code peak_states})
 * @param maxStatesPerInsn most states stored at one instruction
 * @param nanos          verification time
 * @param aux            one entry per slot
 * @param stackDepth     per sub-program, the stack bytes it uses
 */
public record VerifierResult(boolean accepted, String error, int errorInsn, String log, int processed,
                             int totalStates, int peakStates, int maxStatesPerInsn, long nanos,
                             List<InsnAux> aux, List<Integer> stackDepth) {

    /**
     * The verdict as {@code bpf(BPF_PROG_LOAD)} reports it: nothing when accepted, else an
     * exception with the kernel's errno (E2BIG for the complexity limit, EINVAL for a malformed
     * program, EACCES for an unsafe one) and the message {@code "insn N: <rule>"}.
     */
    /** The verdict and the counters, without the log and the aux table. */
    @Override
    public String toString() {
        return (accepted ? "ACCEPT" : "REJECT insn " + errorInsn + ": " + error) + " (processed " + processed
                + ", states " + totalStates + ", peak " + peakStates + ", " + nanos / 1000 + " us)";
    }

    public void requireAccepted() throws BpfException {
        if (accepted) return;
        Errno errno;
        if (error.startsWith("BPF program is too large")) errno = Errno.E2BIG;
        else if (processed == 0 || error.startsWith("infinite loop") || error.startsWith("unreachable")) errno = Errno.EINVAL;
        else errno = Errno.EACCES;
        throw new BpfException(errno, "insn " + errorInsn + ": " + error);
    }
}
