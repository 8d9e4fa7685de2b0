package org.obpf.core.prelink;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.obpf.api.BpfException;
import org.obpf.api.helper.Helper;
import org.obpf.api.obj.AttachType;
import org.obpf.api.prog.ProgramType;
import org.obpf.core.interp.Program;
import org.obpf.core.map.AbstractBpfMap;
import org.obpf.core.map.ArrayMap;

/**
 * A program after every prelink pass: what execution engines take. Calls name helpers by their
 * slot in {@link #helpers()}; {@code lddw} holds real map and value addresses; {@link #maps()} are
 * held until {@link #release()}, so that no address in the code is freed while it may run.
 *
 * @param insns       the final slots ({@code prog dump xlated})
 * @param helpers     helper slot -> helper
 * @param maps        maps the program references
 * @param directMaps  array maps whose values the code addresses without a helper (inlined lookups,
 *                    direct value loads): engines that check memory must allow their value areas
 * @param subprogs    first slot of each sub-program
 * @param stages      the slots after each pass, in order, starting with the original
 */
public final class Prelinked {

    /** The slots after one pass. */
    public record Stage(String name, long[] insns) {}

    private final ProgramType type;
    private final Optional<AttachType> expectedAttachType;
    private final long[] insns;
    private final List<Helper> helpers;
    private final List<AbstractBpfMap> maps;
    private final List<ArrayMap> directMaps;
    private final int[] subprogs;
    private final List<Stage> stages;
    private final AtomicBoolean released = new AtomicBoolean();

    public Prelinked(ProgramType type, Optional<AttachType> expectedAttachType, long[] insns, List<Helper> helpers,
            List<AbstractBpfMap> maps, List<ArrayMap> directMaps, int[] subprogs, List<Stage> stages) {
        this.type = type;
        this.expectedAttachType = expectedAttachType;
        this.insns = insns.clone();
        this.helpers = List.copyOf(helpers);
        this.maps = List.copyOf(maps);
        this.directMaps = List.copyOf(directMaps);
        this.subprogs = subprogs.clone();
        this.stages = List.copyOf(stages);
    }

    public ProgramType type() { return type; }
    public Optional<AttachType> expectedAttachType() { return expectedAttachType; }
    public long[] insns() { return insns.clone(); }
    public List<Helper> helpers() { return helpers; }
    public List<AbstractBpfMap> maps() { return maps; }
    public List<ArrayMap> directMaps() { return directMaps; }
    public int[] subprogs() { return subprogs.clone(); }
    public List<Stage> stages() { return stages; }

    /** Drops the references on {@link #maps()} (once). */
    public void release() {
        if (released.compareAndSet(false, true)) maps.forEach(AbstractBpfMap::release);
    }

    /** The slots after the pass called {@code name}. */
    public long[] stage(String name) {
        return stages.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow(
                () -> new IllegalArgumentException("no prelink stage " + name)).insns().clone();
    }

    /** Loads this program into the interpreter, its direct map values allowed. */
    public Program toInterpreter() throws BpfException {
        List<Program.Region> regions = directMaps.stream()
                .map(a -> new Program.Region(a.values(), (a.spec().flags() & org.obpf.core.helper.MapHelpers.BPF_F_RDONLY_PROG) == 0))
                .toList();
        return Program.load(insns, slot -> {
            if (slot < 0 || slot >= helpers.size()) {
                throw new BpfException(org.obpf.api.Errno.EINVAL, "call to helper slot " + slot + ": no such slot");
            }
            return helpers.get(slot);
        }, regions);
    }
}
