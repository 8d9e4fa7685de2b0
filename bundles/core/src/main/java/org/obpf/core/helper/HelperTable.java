package org.obpf.core.helper;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.obpf.api.Errno;
import org.obpf.api.BpfException;
import org.obpf.api.helper.Helper;

/**
 * The helpers a program may call, by kernel helper number. Immutable: engines bind a program's
 * calls against one table when they load it, as the kernel's {@code fixup_bpf_call} does, so a
 * table can be shared by every thread.
 */
public final class HelperTable {
    private static final HelperTable BUILTINS = new HelperTable(Map.of()).withAll(BuiltinHelpers.all());

    private final Map<Integer, Helper> byId;

    private HelperTable(Map<Integer, Helper> byId) {
        this.byId = byId;
    }

    /** A table with no helpers at all. */
    public static HelperTable empty() {
        return new HelperTable(Map.of());
    }

    /** The built-in helpers: {@link BuiltinHelpers#all()}. */
    public static HelperTable builtins() {
        return BUILTINS;
    }

    /** The built-in helpers a program of {@code type} gets: {@link BuiltinHelpers#forType}. */
    public static HelperTable builtins(org.obpf.api.prog.ProgramType type) {
        return new HelperTable(Map.of()).withAll(BuiltinHelpers.forType(type));
    }

    /**
     * This table plus helpers other bundles contribute (as {@link Helper} services): a
     * contributed helper fills a number the table does not have; it never replaces one, so that no
     * bundle can change what {@code bpf_map_lookup_elem} means to programs. Contributed helpers
     * with the same number: the first wins (service ranking order, as DS hands them over).
     */
    public HelperTable compose(Collection<? extends Helper> contributed) {
        Map<Integer, Helper> next = new TreeMap<>(byId);
        for (Helper h : contributed) {
            if (h.id() <= 0) continue;
            next.putIfAbsent(h.id(), h);
        }
        return new HelperTable(Map.copyOf(next));
    }

    /** This table plus {@code helper}, which replaces any helper with the same number. */
    public HelperTable with(Helper helper) {
        if (helper.id() <= 0) throw new IllegalArgumentException("helper " + helper.name() + " has invalid number " + helper.id());
        Map<Integer, Helper> next = new TreeMap<>(byId);
        next.put(helper.id(), helper);
        return new HelperTable(Map.copyOf(next));
    }

    public HelperTable withAll(Collection<? extends Helper> helpers) {
        HelperTable t = this;
        for (Helper h : helpers) t = t.with(h);
        return t;
    }

    public Optional<Helper> lookup(int id) {
        return Optional.ofNullable(byId.get(id));
    }

    /**
     * The helper with number {@code id}.
     *
     * @throws BpfException {@link Errno#EINVAL} naming the number (and the kernel's name for it)
     *     when no helper with that number is in the table
     */
    public Helper require(int id) throws BpfException {
        Helper h = byId.get(id);
        if (h == null) {
            throw new BpfException(Errno.EINVAL, "call to helper " + HelperNames.describe(id)
                    + ": no such helper is available (available: " + describe() + ")");
        }
        return h;
    }

    /** The helper numbers in the table, ascending. */
    public Collection<Integer> ids() {
        return new TreeMap<>(byId).keySet();
    }

    private String describe() {
        return byId.isEmpty() ? "none" : new TreeMap<>(byId).keySet().stream()
                .map(HelperNames::describe).collect(Collectors.joining(", "));
    }
}
