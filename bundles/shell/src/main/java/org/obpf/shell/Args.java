package org.obpf.shell;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A command's words split into positionals, flags and options with values; unknown options are refused. */
final class Args {
    final List<String> positional = new ArrayList<>();
    private final Set<String> flags = new HashSet<>();
    private final Map<String, String> options = new HashMap<>();

    /**
     * @param command   the command's name, for messages
     * @param words     what the user typed after the command
     * @param flagNames options without a value ({@code --json})
     * @param optNames  options with a value ({@code --type xdp})
     */
    Args(String command, String[] words, Set<String> flagNames, Set<String> optNames) {
        for (int i = 0; i < words.length; i++) {
            String w = words[i];
            if (flagNames.contains(w)) {
                flags.add(w);
            } else if (optNames.contains(w)) {
                if (i + 1 == words.length) throw new ShellException(command + ": " + w + " needs a value");
                options.put(w, words[++i]);
            } else if (w.startsWith("-") && w.length() > 1 && !isNumber(w)) {
                throw new ShellException(command + ": unknown option " + w);
            } else {
                positional.add(w);
            }
        }
    }

    boolean flag(String name) {
        return flags.contains(name);
    }

    String option(String name, String absent) {
        return options.getOrDefault(name, absent);
    }

    String positional(int i, String command, String what) {
        if (i >= positional.size()) throw new ShellException(command + ": missing " + what);
        return positional.get(i);
    }

    void noMoreThan(int n, String command) {
        if (positional.size() > n) throw new ShellException(command + ": unexpected argument '" + positional.get(n) + "'");
    }

    private static boolean isNumber(String w) {
        return w.length() > 1 && Character.isDigit(w.charAt(1));
    }
}
