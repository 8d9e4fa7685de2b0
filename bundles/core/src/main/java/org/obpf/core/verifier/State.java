package org.obpf.core.verifier;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.obpf.api.map.MapSpec;

/**
 * A whole verifier state, the kernel's {@code struct bpf_verifier_state}: the call frames, the
 * acquired references and the instruction it is at. {@link #parent} is the last checkpoint on the
 * path (for branch counting: a checkpoint whose branches are all explored can prune others).
 */
final class State {
    /** An acquired reference: ringbuf memory from bpf_ringbuf_reserve. */
    record Ref(int id, int insn) {}

    final List<FuncState> frames = new ArrayList<>(8);
    List<Ref> refs = List.of();
    int insn;
    /** The instruction the path came from (for "from X to Y" log lines); -1 at the start. */
    int prevInsn = -1;
    Checkpoint parent;
    /**
     * The instructions executed since {@link #parent} (the kernel's jmp_history, with every
     * instruction): {@link #HIST_WORDS} longs each, see {@link Verifier}'s history accessors.
     */
    long[] hist = new long[HIST_WORDS * 16];
    int histLen;

    static final int HIST_WORDS = 3;

    /**
     * Per frame, the stack slots written whole since {@link #parent} (the kernel's
     * REG_LIVE_WRITTEN): a read of such a slot does not reach the checkpoints before.
     */
    long[] written = new long[Verifier.MAX_CALL_FRAMES];

    State copy() {
        State s = new State();
        for (FuncState f : frames) s.frames.add(f.copy());
        s.refs = refs;
        s.insn = insn;
        s.prevInsn = prevInsn;
        s.parent = parent;
        s.hist = Arrays.copyOf(hist, Math.max(histLen * HIST_WORDS, HIST_WORDS * 16));
        s.histLen = histLen;
        s.written = written.clone();
        return s;
    }

    /** A copy to store at a checkpoint: no history (the checkpoint keeps the segment itself). */
    State copyForCheckpoint() {
        State s = new State();
        for (FuncState f : frames) s.frames.add(f.copy());
        s.refs = refs;
        s.insn = insn;
        s.prevInsn = prevInsn;
        s.parent = parent;
        s.hist = null;
        return s;
    }

    /** Appends an entry for instruction {@code insn} executed in frame {@code frame}; returns its index. */
    int histPush(int insn, int frame) {
        int at = histLen * HIST_WORDS;
        if (at + HIST_WORDS > hist.length) hist = Arrays.copyOf(hist, hist.length * 2);
        hist[at] = insn & 0xffffffffL | (long) frame << 48;
        hist[at + 1] = 0;
        hist[at + 2] = 0;
        return histLen++;
    }

    FuncState cur() {
        return frames.get(frames.size() - 1);
    }

    int curFrame() {
        return frames.size() - 1;
    }

    Reg[] regs() {
        return cur().regs;
    }

    void addRef(int id, int insnIdx) {
        List<Ref> n = new ArrayList<>(refs);
        n.add(new Ref(id, insnIdx));
        refs = List.copyOf(n);
    }

    boolean removeRef(int id) {
        List<Ref> n = new ArrayList<>(refs);
        boolean removed = n.removeIf(r -> r.id() == id);
        refs = List.copyOf(n);
        return removed;
    }

    String format(List<MapSpec> maps) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < frames.size(); i++) {
            if (i > 0 || frames.size() > 1) {
                if (i < frames.size() - 1) continue; // the kernel prints only the current frame's registers
            }
            frames.get(i).format(sb, maps, frames.size() > 1);
        }
        if (!refs.isEmpty()) {
            sb.append(" refs=");
            for (int i = 0; i < refs.size(); i++) sb.append(i == 0 ? "" : ",").append(refs.get(i).id());
        }
        return sb.length() > 0 ? sb.substring(1) : "";
    }

    /** A stored state at a prune point (the kernel's {@code bpf_verifier_state_list} entry). */
    static final class Checkpoint {
        final State state;
        final Checkpoint parent;
        int branches = 1;
        /** Times this checkpoint pruned another path; states that never prune may be dropped. */
        int hits;
        int misses;
        /** exactHash of the state: a cheap first test for the infinite-loop check. */
        long hash;
        /** The instruction it is stored at. */
        int insn;
        /** The instructions from {@link #parent} to here (the path segment that led to this state). */
        long[] hist;
        int histLen;
        /** Per frame, the stack slots some path from here read before writing them (REG_LIVE_READ). */
        final long[] read = new long[Verifier.MAX_CALL_FRAMES];
        /** Per frame, the slots written whole on the segment that led here. */
        long[] written;

        Checkpoint(State state, Checkpoint parent) {
            this.state = state;
            this.parent = parent;
        }
    }
}
