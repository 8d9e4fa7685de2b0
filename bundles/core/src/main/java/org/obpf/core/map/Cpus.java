package org.obpf.core.map;

import org.obpf.core.helper.Platform;

/**
 * The "possible CPUs" per-CPU maps keep values for. The kernel sizes per-CPU storage by
 * {@code num_possible_cpus()}; here it is {@code Runtime.availableProcessors()} unless the system
 * property {@value #PROPERTY} says otherwise. A program's slot is the processor its thread runs
 * on, modulo that count.
 */
public final class Cpus {
    private Cpus() {}

    public static final String PROPERTY = "obpf.possible.cpus";

    private static final int POSSIBLE = Math.max(1, Integer.getInteger(PROPERTY, Runtime.getRuntime().availableProcessors()));

    public static int possible() {
        return POSSIBLE;
    }

    /** The slot of the calling thread in a map with {@code cpus} possible CPUs. */
    public static int current(int cpus) {
        return Platform.currentCpu().orElse(0) % cpus;
    }
}
