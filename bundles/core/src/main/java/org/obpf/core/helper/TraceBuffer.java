package org.obpf.core.helper;

import java.util.ArrayDeque;
import java.util.List;

/**
 * What {@code bpf_trace_printk} writes, as the kernel's {@code trace_pipe} would show it: the last
 * {@link #CAPACITY} lines, oldest first, for the shell to read. Lines are also logged through
 * SLF4J (logger {@code org.obpf.trace}).
 */
public final class TraceBuffer {
    private TraceBuffer() {}

    public static final int CAPACITY = 4096;
    private static final ArrayDeque<String> LINES = new ArrayDeque<>();
    private static long dropped;

    static void add(String line) {
        synchronized (LINES) {
            if (LINES.size() == CAPACITY) {
                LINES.removeFirst();
                dropped++;
            }
            LINES.addLast(line);
        }
    }

    /** The buffered lines, oldest first. */
    public static List<String> lines() {
        synchronized (LINES) {
            return List.copyOf(LINES);
        }
    }

    /** Removes and returns the buffered lines, oldest first ({@code cat trace_pipe}). */
    public static List<String> drain() {
        synchronized (LINES) {
            List<String> out = List.copyOf(LINES);
            LINES.clear();
            return out;
        }
    }

    /** Lines pushed out because the buffer was full. */
    public static long dropped() {
        synchronized (LINES) {
            return dropped;
        }
    }
}
