package org.obpf.api.prog;

import java.util.Objects;
import org.obpf.api.Errno;

/** {@code BPF_PROG_TEST_RUN}'s attributes ({@code union bpf_attr.test}) and answers. */
public final class TestRun {
    private TestRun() {}

    /**
     * What to run a program with.
     *
     * @param dataIn      packet bytes ({@code data_in}); may be empty for types without packets
     * @param dataSizeOut room for the packet after the run ({@code data_size_out}); 0 = do not copy it out
     * @param ctxIn       context to start from ({@code ctx_in}), or null for the type's default
     * @param ctxSizeOut  room for the context after the run ({@code ctx_size_out}); 0 = do not copy it out
     * @param repeat      runs ({@code repeat}; 0 counts as 1)
     */
    public record Request(byte[] dataIn, int dataSizeOut, byte[] ctxIn, int ctxSizeOut, int repeat) {
        public Request {
            dataIn = dataIn == null ? new byte[0] : dataIn.clone();
            ctxIn = ctxIn == null ? null : ctxIn.clone();
            if (dataSizeOut < 0 || ctxSizeOut < 0 || repeat < 0) throw new IllegalArgumentException("negative size or repeat");
        }

        /** Runs once over {@code data} with the type's default context, copying the packet out. */
        public static Request of(byte[] data) {
            return new Request(data, 65536, null, 0, 1);
        }
    }

    /**
     * What a run answered.
     *
     * @param retval      the program's return value (r0, truncated to u32 as the kernel reports it)
     * @param dataOut     the packet after the last run, at most {@code data_size_out} bytes
     * @param dataSizeOut the packet's full size after the run (larger than {@code dataOut} when cut)
     * @param ctxOut      the context after the last run, or null when none was asked for
     * @param durationNs  average nanoseconds per run
     * @param error       null, or {@link Errno#ENOSPC} when {@code data_size_out} or {@code ctx_size_out}
     *                    was too small (the kernel still copies what fits and reports the sizes)
     */
    public record Result(long retval, byte[] dataOut, int dataSizeOut, byte[] ctxOut, long durationNs, Errno error) {
        public Result {
            Objects.requireNonNull(dataOut, "dataOut");
        }
    }
}
