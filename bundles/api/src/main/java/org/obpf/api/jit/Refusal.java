package org.obpf.api.jit;

/**
 * One reason a program cannot be compiled by a back-end or offloaded to a device.
 *
 * @param kind   the rule it breaks
 * @param insn   the instruction slot it concerns, or -1 when it is not one instruction
 * @param detail the reason in words ("insn 7: signed division (cpu v4) not supported by nfp")
 */
public record Refusal(Kind kind, int insn, String detail) {
    public enum Kind { NO_BACKEND, NO_DEVICE, PROGRAM_TYPE, SIZE, INSTRUCTION, HELPER, MAP_TYPE, DEVICE }

    @Override
    public String toString() {
        return detail;
    }
}
