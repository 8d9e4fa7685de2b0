package org.obpf.api;

/** The kernel error numbers that {@code bpf()} commands return, with their Linux values. */
public enum Errno {
    EPERM(1),
    ENOENT(2),
    E2BIG(7),
    EBADF(9),
    EAGAIN(11),
    ENOMEM(12),
    EACCES(13),
    EFAULT(14),
    EBUSY(16),
    EEXIST(17),
    ENODEV(19),
    EINVAL(22),
    ENOSPC(28),
    ERANGE(34),
    ELOOP(40),
    EOPNOTSUPP(95),
    ENOTSUPP(524);

    private final int value;

    Errno(int value) {
        this.value = value;
    }

    public int value() {
        return value;
    }
}
