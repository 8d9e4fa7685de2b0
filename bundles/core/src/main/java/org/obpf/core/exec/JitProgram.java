package org.obpf.core.exec;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.obpf.api.BpfException;
import org.obpf.api.Errno;
import org.obpf.api.insn.Insn;
import org.obpf.api.insn.InsnKind;
import org.obpf.api.insn.Opcodes;
import org.obpf.api.jit.CompileRequest;
import org.obpf.api.jit.JitBackend;
import org.obpf.api.jit.JitException;
import org.obpf.api.jit.LinkException;
import org.obpf.api.jit.LinkedImage;
import org.obpf.api.jit.RelocatableImage;
import org.obpf.api.jit.Relocation;
import org.obpf.api.jit.Symbol;
import org.obpf.api.jit.SymbolTable;
import org.obpf.api.jit.code.HostAbi;
import org.obpf.core.interp.ExecutionException;

/**
 * A program compiled by a host back-end, linked at the address of its own executable memory and
 * ready to run in-process: compile, allocate, link at that address, write, seal (read + execute),
 * then each {@link #run} calls the entry through a downcall handle with the
 * {@link HostAbi} signature. {@link #close()} unloads it; the memory goes back to the system when
 * the last run inside returns. Runs may come from any number of threads at once.
 */
public final class JitProgram implements AutoCloseable {
    private static final FunctionDescriptor ENTRY = FunctionDescriptor.of(ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG);

    private final String arch;
    private final RelocatableImage image;
    private final LinkedImage linked;
    private final ExecutableMemory memory;
    private final HelperStubs helpers;
    private final JitProgArrays progArrays;
    private final MethodHandle entry;
    private final long[] callbackEntries;
    private final List<MemorySegment> allowed = new ArrayList<>();
    private final List<Boolean> allowedWritable = new ArrayList<>();

    private JitProgram(String arch, RelocatableImage image, LinkedImage linked, ExecutableMemory memory,
                       HelperStubs helpers, JitProgArrays progArrays, long[] callbackEntries) {
        this.arch = arch;
        this.callbackEntries = callbackEntries;
        this.image = image;
        this.linked = linked;
        this.memory = memory;
        this.helpers = helpers;
        this.progArrays = progArrays;
        this.entry = Linker.nativeLinker().downcallHandle(MemorySegment.ofAddress(linked.entryAddress()), ENTRY);
    }

    /**
     * Compiles {@code request} with {@code backend} and loads it.
     *
     * @param symbols    addresses of maps and map values the program refers to (may be empty)
     * @param progArrays the prog arrays its tail calls may use (may be null: none)
     * @throws BpfException {@link Errno#EINVAL} if the back-end refuses the program or a symbol is missing
     */
    public static JitProgram load(JitBackend backend, CompileRequest request, HelperStubs helpers,
                                  Map<Symbol, Long> symbols, JitProgArrays progArrays) throws BpfException {
        RelocatableImage image;
        try {
            image = backend.compile(request);
        } catch (JitException e) {
            throw new BpfException(Errno.EINVAL, e.getMessage(), e);
        }
        return load(backend, image, helpers, symbols, progArrays, callbackTargets(request.insns()));
    }

    /**
     * Loads an image already compiled by {@code backend}. Its callbacks cannot be called (the
     * image alone does not say which sub-programs are callbacks): load from the request for that.
     */
    public static JitProgram load(JitBackend backend, RelocatableImage image, HelperStubs helpers,
                                  Map<Symbol, Long> symbols, JitProgArrays progArrays) throws BpfException {
        return load(backend, image, helpers, symbols, progArrays, new int[0]);
    }

    /** The slots {@code lddw BPF_PSEUDO_FUNC} names: callback sub-programs' first instructions. */
    private static int[] callbackTargets(long[] insns) {
        java.util.TreeSet<Integer> t = new java.util.TreeSet<>();
        for (int pc = 0; pc + 1 < insns.length; pc++) {
            long w = insns[pc];
            if (InsnKind.of(w) != InsnKind.LD_IMM64) continue;
            if (Insn.src(w) == Opcodes.BPF_PSEUDO_FUNC) t.add(pc + 1 + Insn.imm(w));
            pc++;
        }
        return t.stream().mapToInt(Integer::intValue).toArray();
    }

    private static JitProgram load(JitBackend backend, RelocatableImage image, HelperStubs helpers, Map<Symbol, Long> symbols,
                                   JitProgArrays progArrays, int[] callbackTargets) throws BpfException {
        Objects.requireNonNull(helpers, "helpers");
        ExecutableMemory memory = ExecutableMemory.allocate(Math.max(1, image.size()));
        try {
            SymbolTable.Builder st = SymbolTable.at(memory.address());
            for (Relocation r : image.relocations()) {
                Symbol s = r.symbol();
                switch (s.kind()) {
                    case HELPER -> {
                        Long a = symbols == null ? null : symbols.get(s); // a caller's binding wins over the table's
                        st.bind(s, a != null ? a : helpers.address(s.index()));
                    }
                    case RUNTIME -> {
                        if (s.name().equals(HostAbi.TAIL_CALL_SYMBOL)) st.bind(s, helpers.tailCallAddress());
                    }
                    default -> {
                        Long a = symbols == null ? null : symbols.get(s);
                        if (a != null) st.bind(s, a);
                    }
                }
            }
            LinkedImage linked;
            try {
                linked = backend.link(image, st.build());
            } catch (LinkException e) {
                throw new BpfException(Errno.EINVAL, e.getMessage(), e);
            }
            memory.write(linked.code());
            memory.seal();
            return new JitProgram(backend.arch(), image, linked, memory, helpers, progArrays,
                    callbackEntries(linked, callbackTargets));
        } catch (BpfException | RuntimeException e) {
            memory.close();
            throw e;
        }
    }

    /**
     * The callback entry of each callback target: the entry ({@code subprogOffsets}) of the
     * sub-program whose code holds the target's first instruction.
     */
    private static long[] callbackEntries(LinkedImage linked, int[] targets) throws BpfException {
        int[] subprogs = linked.subprogOffsets();
        int[] insns = linked.insnOffsets();
        long[] entries = new long[targets.length];
        for (int i = 0; i < targets.length; i++) {
            int t = targets[i];
            if (t <= 0 || t >= insns.length - 1) throw new BpfException(Errno.EINVAL, "callback target " + t + " outside the program");
            int f = -1;
            for (int k = 1; k < subprogs.length; k++) if (subprogs[k] <= insns[t]) f = k;
            if (f < 0 || insns[t - 1] >= subprogs[f]) {
                throw new BpfException(Errno.EINVAL, "callback target " + t + " does not start a sub-program of the image");
            }
            entries[i] = linked.loadAddress() + subprogs[f];
        }
        java.util.Arrays.sort(entries);
        return entries;
    }

    /** Whether {@code address} is the entry of one of this program's callbacks. */
    boolean isCallbackEntry(long address) {
        return java.util.Arrays.binarySearch(callbackEntries, address) >= 0;
    }

    public String arch() {
        return arch;
    }

    /** The image as compiled (relocations unapplied). */
    public RelocatableImage image() {
        return image;
    }

    /** The image as linked at {@link #entryAddress()}'s memory. */
    public LinkedImage linked() {
        return linked;
    }

    public long entryAddress() {
        return linked.entryAddress();
    }

    public ExecutableMemory memory() {
        return memory;
    }

    /**
     * Lets every later run touch {@code region} (map values, shared data). Must be native memory
     * that stays allocated while allowed.
     */
    public synchronized JitProgram allow(MemorySegment region, boolean writable) {
        if (!region.isNative()) throw new IllegalArgumentException("memory for a BPF program must be native memory: " + region);
        allowed.add(region);
        allowedWritable.add(writable);
        return this;
    }

    /**
     * Runs with {@code memory} as context, as the conformance suite and
     * {@code BPF_PROG_TEST_RUN} pass it: r1 = its address, r2 = its length (0 and 0 without).
     */
    public long run(MemorySegment memory) throws ExecutionException {
        if (memory == null || memory.byteSize() == 0) return run(0, 0, null, false);
        return run(memory.address(), memory.byteSize(), memory, true);
    }

    /**
     * Runs with r1 and r2 as given; {@code context} (may be null) is memory the run may touch
     * besides its stack and the {@link #allow allowed} regions.
     *
     * @return r0 at exit
     * @throws ExecutionException when the run ended with an error (a refused access in sandbox
     *     mode, a failing helper, too deep a call chain) or the program is unloaded
     */
    public long run(long r1, long r2, MemorySegment context, boolean contextWritable) throws ExecutionException {
        return context == null ? run(r1, r2, List.of(), List.of()) : run(r1, r2, List.of(context), List.of(contextWritable));
    }

    /**
     * Runs with r1 and r2 as given; each of {@code regions} is memory the run may touch besides
     * its stack and the {@link #allow allowed} regions ({@code writable[i]} for {@code regions[i]}).
     */
    public long run(long r1, long r2, List<MemorySegment> regions, List<Boolean> writable) throws ExecutionException {
        if (regions.size() != writable.size()) throw new IllegalArgumentException("regions and writable differ in size");
        if (!this.memory.acquire()) throw new ExecutionException(Errno.ENOENT, -1, "program is unloaded", null);
        JitRun run = JitRun.enter(arch, progArrays);
        run.programs.add(this);
        try {
            synchronized (this) {
                for (int i = 0; i < allowed.size(); i++) {
                    run.addRegion(allowed.get(i).address(), allowed.get(i).byteSize(), allowedWritable.get(i));
                }
            }
            for (int i = 0; i < regions.size(); i++) {
                MemorySegment m = regions.get(i);
                if (m.byteSize() == 0) continue;
                if (!m.isNative()) throw new IllegalArgumentException("memory for a BPF program must be native memory: " + m);
                run.addRegion(m.address(), m.byteSize(), writable.get(i));
            }
            long r0;
            try {
                r0 = (long) entry.invokeExact(r1, r2, run.contextAddress());
            } catch (Throwable t) {
                throw new ExecutionException(Errno.EFAULT, -1, "run failed: " + t, t);
            }
            run.checkError();
            return r0;
        } finally {
            run.exit();
            this.memory.release();
        }
    }

    /** Lets {@code run} touch this program's {@link #allow allowed} regions (a tail call into it). */
    synchronized void grantAllowed(JitRun run) {
        for (int i = 0; i < allowed.size(); i++) run.grant(allowed.get(i), allowedWritable.get(i));
    }

    /** Unloads: no new runs; the memory is unmapped when the last run inside returns. */
    @Override
    public void close() {
        memory.close();
    }

    HelperStubs helpers() {
        return helpers;
    }

    @Override
    public String toString() {
        return "JitProgram[" + arch + ", " + linked.size() + " bytes at 0x" + Long.toHexString(linked.loadAddress()) + "]";
    }
}
