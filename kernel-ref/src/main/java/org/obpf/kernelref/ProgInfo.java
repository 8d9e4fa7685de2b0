package org.obpf.kernelref;

import java.util.Optional;
import org.obpf.api.prog.ProgramType;

/**
 * The parts of {@code struct bpf_prog_info} that compare engines: type, id, tag, JIT-compiled
 * and translated (xlated) code size in bytes, load time, the number of maps used, cumulative run
 * time and count (counted only while run-time statistics are enabled, see
 * {@link KernelBpf#enableRunTimeStats()}), recursion misses and the instructions the verifier
 * processed.
 */
public record ProgInfo(int typeId, int id, long tag, int jitedProgLen, int xlatedProgLen, long loadTimeNs,
                       int nrMapIds, String name, long runTimeNs, long runCnt, long recursionMisses,
                       int verifiedInsns) {

    public Optional<ProgramType> type() {
        return ProgramType.byKernelId(typeId);
    }

    /** Translated program size in instruction slots. */
    public int xlatedInsnCount() {
        return xlatedProgLen / 8;
    }

    /** Tag as bpftool prints it: 16 hex digits, in memory order. */
    public String tagHex() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) sb.append(String.format("%02x", (tag >>> (8 * i)) & 0xff));
        return sb.toString();
    }
}
