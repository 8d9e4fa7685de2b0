package org.obpf.kernelref;

import java.util.Arrays;
import java.util.Objects;
import org.obpf.api.prog.ProgramType;

/**
 * The {@code BPF_PROG_LOAD} part of {@code union bpf_attr} that OBPF uses: program type,
 * instructions, license, verifier log level and buffer size, {@code kern_version},
 * {@code prog_flags} ({@code BPF_F_*}), name, {@code expected_attach_type} and {@code fd_array}
 * (for {@code lddw} with {@code BPF_PSEUDO_MAP_IDX}: imm indexes this array). The log buffer
 * grows by itself when the kernel says it was too small.
 */
public record ProgLoadAttr(ProgramType progType, long[] insns, String license, int logLevel, int logSize,
                           int kernVersion, int progFlags, String progName, int expectedAttachType, int[] fdArray) {

    /** Default log buffer: 1 MiB, enough for level-1 logs of any program that fits the insn limit's fringe. */
    public static final int DEFAULT_LOG_SIZE = 1 << 20;

    public ProgLoadAttr {
        Objects.requireNonNull(progType, "progType");
        if (progType.kernelId() < 0) throw new IllegalArgumentException(progType + " has no kernel program type");
        insns = insns.clone();
        license = license == null ? "" : license;
        progName = progName == null ? "" : progName;
        fdArray = fdArray == null ? new int[0] : fdArray.clone();
        if (logLevel != 0 && logSize < 128) {
            throw new IllegalArgumentException("log_size " + logSize + ": the kernel wants at least 128 bytes with a log level");
        }
    }

    /**
     * A GPL program at log level 1 + stats (the failing path, the error and the statistics). A
     * SYSCALL program gets {@code BPF_F_SLEEPABLE}: the kernel refuses it otherwise ("Syscall
     * programs can only be sleepable").
     */
    public static ProgLoadAttr of(ProgramType type, long[] insns) {
        int flags = type == ProgramType.SYSCALL ? KernelBpf.BPF_F_SLEEPABLE : 0;
        return new ProgLoadAttr(type, insns, "GPL", KernelBpf.BPF_LOG_LEVEL1 | KernelBpf.BPF_LOG_STATS,
                DEFAULT_LOG_SIZE, 0, flags, "", 0, null);
    }

    public ProgLoadAttr withLog(int level, int size) {
        return new ProgLoadAttr(progType, insns, license, level, size, kernVersion, progFlags, progName, expectedAttachType, fdArray);
    }

    public ProgLoadAttr withLicense(String l) {
        return new ProgLoadAttr(progType, insns, l, logLevel, logSize, kernVersion, progFlags, progName, expectedAttachType, fdArray);
    }

    public ProgLoadAttr withProgFlags(int flags) {
        return new ProgLoadAttr(progType, insns, license, logLevel, logSize, kernVersion, flags, progName, expectedAttachType, fdArray);
    }

    public ProgLoadAttr withName(String name) {
        return new ProgLoadAttr(progType, insns, license, logLevel, logSize, kernVersion, progFlags, name, expectedAttachType, fdArray);
    }

    public ProgLoadAttr withExpectedAttachType(int attachType) {
        return new ProgLoadAttr(progType, insns, license, logLevel, logSize, kernVersion, progFlags, progName, attachType, fdArray);
    }

    public ProgLoadAttr withKernVersion(int version) {
        return new ProgLoadAttr(progType, insns, license, logLevel, logSize, version, progFlags, progName, expectedAttachType, fdArray);
    }

    public ProgLoadAttr withFdArray(int[] fds) {
        return new ProgLoadAttr(progType, insns, license, logLevel, logSize, kernVersion, progFlags, progName, expectedAttachType, fds);
    }

    public ProgLoadAttr withInsns(long[] program) {
        return new ProgLoadAttr(progType, program, license, logLevel, logSize, kernVersion, progFlags, progName, expectedAttachType, fdArray);
    }

    @Override
    public long[] insns() {
        return insns.clone();
    }

    @Override
    public int[] fdArray() {
        return fdArray.clone();
    }

    int insnCount() {
        return insns.length;
    }

    long insn(int i) {
        return insns[i];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ProgLoadAttr a && progType == a.progType && Arrays.equals(insns, a.insns)
                && license.equals(a.license) && logLevel == a.logLevel && logSize == a.logSize
                && kernVersion == a.kernVersion && progFlags == a.progFlags && progName.equals(a.progName)
                && expectedAttachType == a.expectedAttachType && Arrays.equals(fdArray, a.fdArray);
    }

    @Override
    public int hashCode() {
        return Objects.hash(progType, Arrays.hashCode(insns), license, logLevel, logSize, progFlags, progName);
    }

    @Override
    public String toString() {
        return "ProgLoadAttr[" + progType.kernelName() + ", " + insns.length + " insns, license " + license
                + ", log_level " + logLevel + ", prog_flags 0x" + Integer.toHexString(progFlags) + "]";
    }
}
