package org.obpf.shell;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A command's words read left to right, bpftool style ({@code prog run id 3 data_in 00ff repeat 10}):
 * flags ({@code --json}) may stand anywhere and are taken out first; anything else starting with
 * {@code --} is refused.
 */
final class Words {
    private final String command;
    private final List<String> words = new ArrayList<>();
    private final Set<String> flags;
    private final List<String> seen = new ArrayList<>();
    private int at;

    Words(String command, String[] words, Set<String> flagNames) {
        this.command = command;
        this.flags = flagNames;
        for (String w : words == null ? new String[0] : words) {
            if (flagNames.contains(w)) seen.add(w);
            else if (w.startsWith("--")) throw new ShellException(command + ": unknown option " + w);
            else this.words.add(w);
        }
    }

    String command() {
        return command;
    }

    /** A failure of this command: one line. */
    ShellException fail(String message) {
        return new ShellException(command + ": " + message);
    }

    boolean flag(String name) {
        if (!flags.contains(name)) throw new IllegalArgumentException(name);
        return seen.contains(name);
    }

    boolean more() {
        return at < words.size();
    }

    String peek() {
        return more() ? words.get(at) : null;
    }

    String next(String what) {
        if (!more()) throw fail("missing " + what);
        return words.get(at++);
    }

    /** Takes {@code keyword} if it comes next. */
    boolean accept(String keyword) {
        if (keyword.equals(peek())) {
            at++;
            return true;
        }
        return false;
    }

    long nextLong(String what) {
        String w = next(what);
        return number(w, what);
    }

    int nextInt(String what) {
        long v = nextLong(what);
        if (v < Integer.MIN_VALUE || v > 0xffffffffL) throw fail(what + " " + v + " does not fit 32 bits");
        return (int) v;
    }

    long number(String w, String what) {
        try {
            if (w.startsWith("0x") || w.startsWith("0X")) return Long.parseUnsignedLong(w.substring(2), 16);
            if (w.startsWith("-0x")) return -Long.parseLong(w.substring(3), 16);
            return Long.parseLong(w);
        } catch (NumberFormatException e) {
            throw fail(what + " must be a number, not '" + w + "'");
        }
    }

    void end() {
        if (more()) throw fail("unexpected argument '" + peek() + "'");
    }
}
