package org.obpf.core.registry;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.obpf.api.prog.ProgramType;
import org.obpf.api.registry.ProgramInfo;
import org.obpf.core.exec.JitExecution;
import org.obpf.core.interp.Program;
import org.obpf.core.prelink.Prelinked;
import org.obpf.core.run.ExecutionEngine;

/** A loaded program and the engine its new runs take. */
final class Prog {

    /**
     * Where new runs go: the interpreter ({@code compiled} null) or a back-end's code.
     *
     * @param engine    {@code interp} or the arch
     * @param state     why, in words
     * @param exe       what runs
     * @param compiled  the JIT'd program, or null
     * @param serviceId the back-end's service id, or -1
     */
    record Current(String engine, String state, ExecutionEngine.Executable exe, JitExecution.Compiled compiled, long serviceId) {}

    final int id;
    final String name;
    final ProgramType type;
    final String tag;
    final String object;
    final String requested;
    final Prelinked prelinked;
    final Program interpreted;
    final ExecutionEngine.Executable interpreter;
    final List<Integer> mapIds;
    final int verifiedInsns;
    final long loadedAt = System.currentTimeMillis();
    /** Tail calls through prog arrays: slots hold interpreter programs, so such programs stay on the interpreter. */
    final boolean interpreterOnly;
    final Set<String> pins = new ConcurrentSkipListSet<>();
    final AtomicLong runs = new AtomicLong();
    final AtomicInteger compiles = new AtomicInteger();
    volatile Current current;
    /** Offloaded: the device's copy of the program (null on the host). */
    volatile org.obpf.api.offload.DeviceProgram deviceProgram;
    /** Offloaded: the device it is bound to (null on the host). */
    volatile String device;
    /** Runs inside right now; the prelinked program (and so its maps) is released only once the last has left. */
    private final AtomicInteger active = new AtomicInteger();
    private volatile boolean dropped;
    private final java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();

    /** A run enters; false once the program is unloaded. */
    boolean enter() {
        active.incrementAndGet();
        if (dropped) {
            leave();
            return false;
        }
        return true;
    }

    void leave() {
        if (active.decrementAndGet() == 0 && dropped) release();
    }

    /** Unloaded: the maps it holds are released now, or when the last run inside leaves. */
    void drop() {
        dropped = true;
        if (active.get() == 0) release();
    }

    private void release() {
        if (released.compareAndSet(false, true)) prelinked.release();
    }

    Prog(int id, String name, ProgramType type, String tag, String object, String requested, Prelinked prelinked,
         Program interpreted, ExecutionEngine.Executable interpreter, List<Integer> mapIds, int verifiedInsns, boolean interpreterOnly) {
        this.id = id;
        this.name = name;
        this.type = type;
        this.tag = tag;
        this.object = object;
        this.requested = requested;
        this.prelinked = prelinked;
        this.interpreted = interpreted;
        this.interpreter = interpreter;
        this.mapIds = List.copyOf(mapIds);
        this.verifiedInsns = verifiedInsns;
        this.interpreterOnly = interpreterOnly;
    }

    ProgramInfo info() {
        Current c = current;
        int bytes = c.compiled() == null ? 0 : c.compiled().program().linked().size();
        return new ProgramInfo(id, name, type, tag, object, requested, c.engine(), c.state(), prelinked.insns().length, bytes,
                mapIds, new ArrayList<>(pins), runs.get(), compiles.get(), verifiedInsns, loadedAt);
    }
}
