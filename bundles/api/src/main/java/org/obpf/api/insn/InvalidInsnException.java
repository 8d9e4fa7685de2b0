package org.obpf.api.insn;

import org.obpf.api.BpfException;
import org.obpf.api.Errno;

/**
 * A program refused because of one instruction's encoding, with the Linux verifier's reason
 * ("unknown opcode 8d", "BPF_ALU uses reserved fields") and the index of the slot. The message
 * is {@code "insn <index>: <reason>"}.
 */
public class InvalidInsnException extends BpfException {
    private static final long serialVersionUID = 1L;
    private final int index;
    private final String reason;

    public InvalidInsnException(int index, String reason) {
        super(Errno.EINVAL, "insn " + index + ": " + reason);
        this.index = index;
        this.reason = reason;
    }

    /** Slot index of the refused instruction. */
    public int index() {
        return index;
    }

    /** The reason without the index prefix, in the kernel verifier's words. */
    public String reason() {
        return reason;
    }
}
