package org.obpf.api.helper;

/**
 * A BPF helper function: what {@code call IMM} runs, with the kernel's helper number as
 * {@code IMM} ({@code enum bpf_func_id} in {@code include/uapi/linux/bpf.h}) and the Linux
 * semantics of that helper.
 *
 * <p>A bundle contributes a helper by registering this interface as a service with the property
 * {@value #ID} (an {@code Integer}, equal to {@link #id()}) and optionally {@value #NAME}. An
 * execution engine binds a program's helper calls when the program is loaded (the kernel's
 * {@code fixup_bpf_call}), so a helper that leaves later does not change programs already loaded.
 *
 * <p>Arguments and result are the raw 64-bit register values r1..r5 and r0. A helper that gets a
 * pointer reads and writes through {@link HelperContext#memory}, which checks the range against
 * the memory the running program may touch. Helpers are called from any thread that runs a
 * program and must be thread-safe.
 */
public interface Helper {

    /** Service property: the helper number ({@code Integer}), as in {@code enum bpf_func_id}. */
    String ID = "bpf.helper.id";

    /** Service property: the helper name without the {@code bpf_} prefix ({@code String}). */
    String NAME = "bpf.helper.name";

    /** The kernel's helper number, e.g. 5 for {@code bpf_ktime_get_ns}. */
    int id();

    /** The kernel's name without the {@code bpf_} prefix, e.g. {@code ktime_get_ns}. */
    String name();

    /**
     * Runs the helper.
     *
     * @param context the running program's view of memory and processor
     * @return the value of r0 after the call
     * @throws HelperException to end the run (a bad pointer argument, for instance); a helper
     *     that fails the way its Linux counterpart does returns the negative error number instead
     */
    long call(HelperContext context, long r1, long r2, long r3, long r4, long r5);
}
