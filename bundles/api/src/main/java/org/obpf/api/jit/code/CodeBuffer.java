package org.obpf.api.jit.code;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.obpf.api.jit.Relocation;
import org.obpf.api.jit.Symbol;

/**
 * The buffer one back-end emits an image into: little-endian bytes, {@link Label labels},
 * pending fix-ups resolved when their label binds, and {@link Relocation relocation records}
 * against {@link Symbol symbols}. The emitter never knows where the code will live: PC-relative
 * references to labels are fix-ups, everything else is a relocation for the back-end's
 * {@code link}.
 *
 * <h2>Short and near branches</h2>
 * A branch with a short and a long form ({@code jcc rel8} / {@code jcc rel32}) asks
 * {@link #fitsShort}, or uses {@link #branch}, and the buffer decides. The decision uses the
 * layout of the previous pass, as the kernel's JITs do with their {@code addrs[]} table:
 * {@link #converge} runs the whole emitter again and again, each pass starting from the label
 * offsets of the one before, until the image size stops changing. A branch starts long (forward
 * targets are unknown in the first pass) and only ever becomes short, so code only shrinks and
 * a short branch stays in range; the pass that does not shrink produces the final image. None of
 * this shows in per-instruction code, which only names its two forms.
 *
 * <p>Not thread-safe; one buffer per pass of one compilation.
 */
public final class CodeBuffer {

    /** Passes {@link #converge} runs at most before giving up (the kernel's x86 JIT uses 20 too). */
    public static final int MAX_PASSES = 20;

    private byte[] code = new byte[256];
    private int size;

    private int[] labelPos = new int[16];
    private int labelCount;
    /** Fix-ups waiting for each unbound label, by label id (null: none). */
    private List<Fixup>[] pending = newPending(16);
    private int pendingCount;
    private final List<Relocation> relocations = new ArrayList<>();

    // Convergence: what the previous pass did at each branch site (by sequence number).
    private final Layout previous;
    private int[] siteOffset = new int[16];
    private boolean[] siteShort = new boolean[16];
    private int siteCount;

    private record Fixup(Label target, int at, int width, int pcBase, FieldEncoder encoder) {}

    /** The layout one pass left for the next: label offsets and branch decisions. */
    private record Layout(int size, int[] labelPos, int labelCount, int[] siteOffset, boolean[] siteShort, int siteCount) {}

    /** An empty buffer for a single pass (short branches only where the target is already bound). */
    public CodeBuffer() {
        this(null);
    }

    private CodeBuffer(Layout previous) {
        this.previous = previous;
    }

    /**
     * Runs {@code emitter} into fresh buffers until the code size stops changing and returns the
     * last buffer. The emitter must be deterministic: the same labels in the same order, the same
     * branch sites in the same order, for the same decisions.
     *
     * @throws IllegalStateException if the size has not settled after {@value #MAX_PASSES} passes
     */
    public static CodeBuffer converge(Consumer<CodeBuffer> emitter) {
        Objects.requireNonNull(emitter, "emitter");
        Layout layout = null;
        for (int pass = 0; pass < MAX_PASSES; pass++) {
            CodeBuffer buf = new CodeBuffer(layout);
            emitter.accept(buf);
            buf.finish();
            Layout next = buf.layout();
            if (layout != null && layout.size == next.size) return buf;
            layout = next;
        }
        throw new IllegalStateException("code size did not converge after " + MAX_PASSES + " passes");
    }

    private Layout layout() {
        return new Layout(size, labelPos.clone(), labelCount, siteOffset.clone(), siteShort.clone(), siteCount);
    }

    // ---- bytes ----

    /** Offset of the next byte to be emitted. */
    public int offset() {
        return size;
    }

    private void ensure(int n) {
        if (size + n > code.length) code = Arrays.copyOf(code, Math.max(code.length * 2, size + n));
    }

    public CodeBuffer emit8(int b) {
        ensure(1);
        code[size++] = (byte) b;
        return this;
    }

    /** Several single bytes, each given as an int (only its low 8 bits count). */
    public CodeBuffer emit(int... bytes) {
        ensure(bytes.length);
        for (int b : bytes) code[size++] = (byte) b;
        return this;
    }

    public CodeBuffer emit16(int v) {
        ensure(2);
        code[size++] = (byte) v;
        code[size++] = (byte) (v >>> 8);
        return this;
    }

    public CodeBuffer emit32(int v) {
        ensure(4);
        code[size++] = (byte) v;
        code[size++] = (byte) (v >>> 8);
        code[size++] = (byte) (v >>> 16);
        code[size++] = (byte) (v >>> 24);
        return this;
    }

    public CodeBuffer emit64(long v) {
        emit32((int) v);
        return emit32((int) (v >>> 32));
    }

    /** Overwrites four bytes already emitted. */
    public void put32(int at, int v) {
        checkRange(at, 4);
        code[at] = (byte) v;
        code[at + 1] = (byte) (v >>> 8);
        code[at + 2] = (byte) (v >>> 16);
        code[at + 3] = (byte) (v >>> 24);
    }

    /** Overwrites one byte already emitted. */
    public void put8(int at, int v) {
        checkRange(at, 1);
        code[at] = (byte) v;
    }

    public int get8(int at) {
        checkRange(at, 1);
        return code[at] & 0xff;
    }

    private void checkRange(int at, int n) {
        if (at < 0 || at + n > size) throw new IndexOutOfBoundsException("bytes " + at + ".." + (at + n) + " outside " + size);
    }

    /** A copy of the bytes emitted so far. */
    public byte[] bytes() {
        return Arrays.copyOf(code, size);
    }

    // ---- labels and fix-ups ----

    @SuppressWarnings("unchecked")
    private static List<Fixup>[] newPending(int n) {
        return (List<Fixup>[]) new List<?>[n];
    }

    public Label newLabel() {
        if (labelCount == labelPos.length) {
            labelPos = Arrays.copyOf(labelPos, labelCount * 2);
            pending = Arrays.copyOf(pending, labelCount * 2);
        }
        labelPos[labelCount] = -1;
        return new Label(this, labelCount++);
    }

    /** Binds {@code label} to the current offset and patches every fix-up waiting for it. */
    public void bind(Label label) {
        own(label);
        if (labelPos[label.id] >= 0) throw new IllegalStateException(label + " is already bound at " + labelPos[label.id]);
        labelPos[label.id] = size;
        List<Fixup> waiting = pending[label.id];
        if (waiting != null) {
            for (Fixup f : waiting) apply(f, size);
            pendingCount -= waiting.size();
            pending[label.id] = null;
        }
    }

    public boolean isBound(Label label) {
        own(label);
        return labelPos[label.id] >= 0;
    }

    /** The label's offset; it must be bound. */
    public int offsetOf(Label label) {
        own(label);
        int p = labelPos[label.id];
        if (p < 0) throw new IllegalStateException(label + " is not bound");
        return p;
    }

    /**
     * A little-endian signed field of {@code width} bytes (1, 2 or 4) at {@code at} that receives
     * {@code target - pcBase}: x86's rel8/rel32 with {@code pcBase} the end of the instruction.
     * Patched now if the label is bound, else when it binds.
     */
    public void fixup(Label target, int at, int width, int pcBase) {
        if (width != 1 && width != 2 && width != 4) throw new IllegalArgumentException("fix-up width " + width);
        addFixup(new Fixup(target, at, width, pcBase, null));
    }

    /** A fix-up whose field is written by {@code encoder} (scattered immediate bits). */
    public void fixup(Label target, int at, int pcBase, FieldEncoder encoder) {
        addFixup(new Fixup(target, at, 0, pcBase, Objects.requireNonNull(encoder, "encoder")));
    }

    private void addFixup(Fixup f) {
        own(f.target);
        if (labelPos[f.target.id] >= 0) {
            apply(f, labelPos[f.target.id]);
        } else {
            if (pending[f.target.id] == null) pending[f.target.id] = new ArrayList<>(2);
            pending[f.target.id].add(f);
            pendingCount++;
        }
    }

    private void apply(Fixup f, int targetPos) {
        long disp = (long) targetPos - f.pcBase;
        if (f.encoder != null) {
            if (!f.encoder.encode(code, f.at, disp)) throw outOfRange(f, disp);
            return;
        }
        long min = -(1L << (8 * f.width - 1));
        long max = (1L << (8 * f.width - 1)) - 1;
        if (disp < min || disp > max) throw outOfRange(f, disp);
        for (int i = 0; i < f.width; i++) code[f.at + i] = (byte) (disp >>> (8 * i));
    }

    private static IllegalStateException outOfRange(Fixup f, long disp) {
        return new IllegalStateException("displacement " + disp + " to " + f.target + " does not fit the field at " + f.at);
    }

    private void own(Label l) {
        if (Objects.requireNonNull(l, "label").owner != this) throw new IllegalArgumentException(l + " belongs to another buffer");
    }

    /**
     * Checks that every label referred to was bound.
     *
     * @throws IllegalStateException naming a label with pending fix-ups
     */
    public void finish() {
        if (pendingCount == 0) return;
        for (int id = 0; id < labelCount; id++) {
            if (pending[id] != null && !pending[id].isEmpty()) {
                Fixup f = pending[id].getFirst();
                throw new IllegalStateException("label " + f.target + " referred to at " + f.at + " was never bound");
            }
        }
    }

    // ---- short/near decisions ----

    /**
     * Decides, for the next branch site, whether its short form reaches {@code target}: the
     * displacement {@code target - (offset() + shortLength)} must lie in {@code [min, max]}. A
     * backward target is exact; a forward one is judged from the previous pass's layout (never
     * short in the first pass): the code between the end of the branch and the target can only
     * have shrunk since. Once short at a site, always short there in later passes. Every call is
     * one branch site: call it exactly once per branch.
     *
     * @param shortLength bytes of the short form
     * @param nearLength  bytes of the long form
     */
    public boolean fitsShort(Label target, int shortLength, int nearLength, long min, long max) {
        own(target);
        int site = siteCount++;
        if (site == siteOffset.length) {
            siteOffset = Arrays.copyOf(siteOffset, site * 2);
            siteShort = Arrays.copyOf(siteShort, site * 2);
        }
        siteOffset[site] = size;
        boolean fits;
        if (labelPos[target.id] >= 0) {
            long d = (long) labelPos[target.id] - (size + shortLength);
            fits = d >= min && d <= max;
        } else if (previous != null && site < previous.siteCount && target.id < previous.labelCount
                && previous.labelPos[target.id] >= 0) {
            if (previous.siteShort[site]) {
                fits = true;
            } else {
                long d = (long) previous.labelPos[target.id] - (previous.siteOffset[site] + nearLength);
                fits = d >= min && d <= max;
            }
        } else {
            fits = false;
        }
        siteShort[site] = fits;
        return fits;
    }

    /**
     * Emits a branch with two encodings: {@code shortOpcode} followed by a signed 8-bit
     * displacement, or {@code nearOpcode} followed by a signed 32-bit displacement, both
     * relative to the end of the instruction (x86's {@code jcc}/{@code jmp}).
     */
    public void branch(Label target, int[] shortOpcode, int[] nearOpcode) {
        if (fitsShort(target, shortOpcode.length + 1, nearOpcode.length + 4, -128, 127)) {
            emit(shortOpcode);
            int at = size;
            emit8(0);
            fixup(target, at, 1, size);
        } else {
            emit(nearOpcode);
            int at = size;
            emit32(0);
            fixup(target, at, 4, size);
        }
    }

    /** A branch with only a 32-bit form ({@code call rel32}). */
    public void branchNear(Label target, int... opcode) {
        emit(opcode);
        int at = size;
        emit32(0);
        fixup(target, at, 4, size);
    }

    // ---- relocations ----

    /** Records that the field at {@code at} must receive {@code symbol}'s address (plus addend) at link time. */
    public Relocation relocate(int at, int type, String typeName, Symbol symbol, long addend) {
        Relocation r = new Relocation(at, type, typeName, symbol, addend);
        relocations.add(r);
        return r;
    }

    /** The relocations recorded, in code order. */
    public List<Relocation> relocations() {
        List<Relocation> sorted = new ArrayList<>(relocations);
        sorted.sort((a, b) -> Integer.compare(a.offset(), b.offset()));
        return List.copyOf(sorted);
    }
}
