package org.obpf.kernelref;

import java.util.Map;
import org.obpf.api.BpfException;
import org.obpf.api.Errno;

/**
 * A {@code bpf()} command the kernel failed, with its raw error number. {@link #errno()} is the
 * matching {@link Errno} when OBPF's enum has one and {@code null} otherwise (ENOSYS, EPROTO ...);
 * {@link #rawErrno()} and {@link #errnoName()} always say what the kernel returned. A refused
 * {@code BPF_PROG_LOAD} carries the verifier's log.
 */
public final class KernelBpfException extends BpfException {
    private static final long serialVersionUID = 1L;

    private final int rawErrno;
    private final String verifierLog;

    public KernelBpfException(int rawErrno, String message, String verifierLog) {
        super(mapErrno(rawErrno), message);
        this.rawErrno = rawErrno;
        this.verifierLog = verifierLog == null ? "" : verifierLog;
    }

    public KernelBpfException(int rawErrno, String message) {
        this(rawErrno, message, "");
    }

    /** The kernel's error number as returned (positive). */
    public int rawErrno() {
        return rawErrno;
    }

    /** The errno's symbolic name ({@code EINVAL}), or {@code errno N} for one this class does not name. */
    public String errnoName() {
        return errnoName(rawErrno);
    }

    /** The verifier's log for a refused program load; empty for every other command. */
    public String verifierLog() {
        return verifierLog;
    }

    @Override
    public String toString() {
        return errnoName() + ": " + getMessage();
    }

    /** OBPF's {@link Errno} for a kernel error number, or {@code null} if the enum has none. */
    public static Errno mapErrno(int raw) {
        for (Errno e : Errno.values()) {
            if (e.value() == raw) return e;
        }
        return null;
    }

    // asm-generic/errno-base.h and errno.h, plus the kernel-internal ENOTSUPP the verifier leaks.
    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(1, "EPERM"), Map.entry(2, "ENOENT"), Map.entry(3, "ESRCH"), Map.entry(4, "EINTR"),
            Map.entry(5, "EIO"), Map.entry(6, "ENXIO"), Map.entry(7, "E2BIG"), Map.entry(8, "ENOEXEC"),
            Map.entry(9, "EBADF"), Map.entry(10, "ECHILD"), Map.entry(11, "EAGAIN"), Map.entry(12, "ENOMEM"),
            Map.entry(13, "EACCES"), Map.entry(14, "EFAULT"), Map.entry(16, "EBUSY"), Map.entry(17, "EEXIST"),
            Map.entry(18, "EXDEV"), Map.entry(19, "ENODEV"), Map.entry(20, "ENOTDIR"), Map.entry(21, "EISDIR"),
            Map.entry(22, "EINVAL"), Map.entry(23, "ENFILE"), Map.entry(24, "EMFILE"), Map.entry(25, "ENOTTY"),
            Map.entry(27, "EFBIG"), Map.entry(28, "ENOSPC"), Map.entry(34, "ERANGE"), Map.entry(36, "ENAMETOOLONG"),
            Map.entry(38, "ENOSYS"), Map.entry(40, "ELOOP"), Map.entry(61, "ENODATA"), Map.entry(71, "EPROTO"), Map.entry(74, "EBADMSG"), Map.entry(75, "EOVERFLOW"),
            Map.entry(95, "EOPNOTSUPP"), Map.entry(110, "ETIMEDOUT"), Map.entry(524, "ENOTSUPP"));

    public static String errnoName(int raw) {
        String n = NAMES.get(raw);
        return n != null ? n : "errno " + raw;
    }
}
