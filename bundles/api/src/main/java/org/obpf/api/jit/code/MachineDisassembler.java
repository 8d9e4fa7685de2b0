package org.obpf.api.jit.code;

import java.util.List;

/**
 * Disassembles one back-end's machine code, for {@code dump jited}. Registered as a service with
 * {@link org.obpf.api.jit.JitBackend#ARCH} by the bundle of the back-end whose output it reads.
 */
public interface MachineDisassembler {

    /** The architecture whose code it reads. */
    String arch();

    /**
     * One line per instruction: {@code address: bytes  mnemonic operands}, branch targets as
     * absolute addresses, in the syntax of the arch's usual disassembler.
     *
     * @param code    the machine code
     * @param address the address of {@code code[0]} (0 for an unlinked image)
     * @throws IllegalArgumentException at bytes that are not an instruction this disassembler knows
     */
    List<String> disassemble(byte[] code, long address);
}
