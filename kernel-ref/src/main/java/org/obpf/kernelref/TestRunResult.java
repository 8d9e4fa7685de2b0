package org.obpf.kernelref;

/**
 * What {@code BPF_PROG_TEST_RUN} gave: {@code retval} (the program's r0, truncated to 32 bits by
 * the kernel's attribute), {@code data_out} and {@code ctx_out} cut to the sizes the kernel
 * reported, the {@code ctx_in} buffer after the run (a SYSCALL program's context writes land
 * there), and {@code duration} (average ns per run over {@code repeat}).
 */
public record TestRunResult(int retval, byte[] dataOut, byte[] ctxOut, byte[] ctxIn, int duration) {

    /** {@code retval} as the unsigned 32-bit number it is. */
    public long retvalUnsigned() {
        return retval & 0xffffffffL;
    }

    @Override
    public byte[] dataOut() {
        return dataOut.clone();
    }

    @Override
    public byte[] ctxOut() {
        return ctxOut.clone();
    }

    @Override
    public byte[] ctxIn() {
        return ctxIn.clone();
    }
}
