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
    /** One handle for every entry (the address is its first argument): a constant the JVM inlines. */
    private static final MethodHandle CALL_ENTRY = Linker.nativeLinker().downcallHandle(ENTRY);
    /**
     * The same for code that never calls back into Java (no helper or runtime relocation): a
     * critical downcall, without the thread-state transition, which costs more than a small
     * program's run. Such code is bounded like any BPF program; the JVM's safepoints wait for it.
     */
    private static final MethodHandle CALL_ENTRY_CRITICAL = Linker.nativeLinker().downcallHandle(ENTRY,
            Linker.Option.critical(false));
    private static final int ALL_FRAMES = HostAbi.MAX_CALL_FRAMES * HostAbi.STACK_FRAME;

    private final String arch;
    private final RelocatableImage image;
    private final LinkedImage linked;
    private final ExecutableMemory memory;
    private final HelperStubs helpers;
    private final JitProgArrays progArrays;
    private final MemorySegment entry;
    /** Whether the code calls Java (helpers, the tail-call runtime): it needs the ordinary downcall. */
    private final boolean upcalls;
    private final long[] callbackEntries;
    private final int stackBytes;
    private final List<MemorySegment> allowed = new ArrayList<>();
    private final List<Boolean> allowedWritable = new ArrayList<>();
    /** {@link #allowed} as every run adds it to its region table: start, length, writable (1/0) per region. */
    private volatile long[] allowedTable = new long[0];

    private JitProgram(String arch, RelocatableImage image, LinkedImage linked, ExecutableMemory memory,
                       HelperStubs helpers, JitProgArrays progArrays, long[] callbackEntries, int stackBytes) {
        this.arch = arch;
        this.callbackEntries = callbackEntries;
        this.stackBytes = stackBytes;
        this.image = image;
        this.linked = linked;
        this.memory = memory;
        this.helpers = helpers;
        this.progArrays = progArrays;
        this.entry = MemorySegment.ofAddress(linked.entryAddress());
        boolean u = false;
        for (Relocation r : image.relocations()) {
            if (r.symbol().kind() == Symbol.Kind.HELPER || r.symbol().kind() == Symbol.Kind.RUNTIME
                    || r.symbol().kind() == Symbol.Kind.KFUNC) {
                u = true;
            }
        }
        this.upcalls = u;
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
        return load(backend, image, helpers, symbols, progArrays, callbackTargets(request.insns()), stackBytes(request.insns()));
    }

    /**
     * Loads an image already compiled by {@code backend}. Its callbacks cannot be called (the
     * image alone does not say which sub-programs are callbacks): load from the request for that.
     */
    public static JitProgram load(JitBackend backend, RelocatableImage image, HelperStubs helpers,
                                  Map<Symbol, Long> symbols, JitProgArrays progArrays) throws BpfException {
        return load(backend, image, helpers, symbols, progArrays, new int[0], ALL_FRAMES);
    }

    /**
     * How many bytes below the stack top a run of {@code insns} may write (the stack a run
     * zeroes when it ends): every frame if it calls sub-programs or callbacks; else its one
     * frame if r10 is used otherwise than as the base of a load or store (a stack pointer in
     * another register, for a helper or pointer arithmetic); else the deepest r10-relative access.
     */
    static int stackBytes(long[] insns) {
        int deepest = 0;
        for (int pc = 0; pc < insns.length; pc++) {
            long w = insns[pc];
            InsnKind kind = InsnKind.of(w);
            int cls = Insn.code(w) & 7;
            if (kind == InsnKind.CALL_LOCAL) return ALL_FRAMES;
            if (kind == InsnKind.LD_IMM64) {
                if (Insn.src(w) == Opcodes.BPF_PSEUDO_FUNC) return ALL_FRAMES;
                pc++;
                continue;
            }
            boolean memory = cls == Opcodes.BPF_LDX || cls == Opcodes.BPF_ST || cls == Opcodes.BPF_STX;
            if (memory) {
                int base = cls == Opcodes.BPF_LDX ? Insn.src(w) : Insn.dst(w);
                if (cls == Opcodes.BPF_STX && Insn.src(w) == 10) return HostAbi.STACK_FRAME; // stores the stack pointer
                if (base != 10) continue;
                int size = 1 << switch (Insn.code(w) & 0x18) { case 0x00 -> 2; case 0x08 -> 1; case 0x10 -> 0; default -> 3; };
                int off = Insn.off(w);
                if (off + size > 0 || off < -HostAbi.STACK_FRAME) return HostAbi.STACK_FRAME; // outside the frame: be whole
                deepest = Math.max(deepest, -off);
            } else if (cls == Opcodes.BPF_ALU || cls == Opcodes.BPF_ALU64 || cls == Opcodes.BPF_JMP || cls == Opcodes.BPF_JMP32) {
                boolean srcReg = (Insn.code(w) & Opcodes.BPF_X) != 0;
                if (Insn.dst(w) == 10 || srcReg && Insn.src(w) == 10) return HostAbi.STACK_FRAME; // r10 as a value
            }
        }
        return deepest;
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
                                   JitProgArrays progArrays, int[] callbackTargets, int stackBytes) throws BpfException {
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
                    callbackEntries(linked, callbackTargets), stackBytes);
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

    /** Bytes below the stack top a run of this program may write: what the run zeroes at its end. */
    int stackBytes() {
        return stackBytes;
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
        long[] t = java.util.Arrays.copyOf(allowedTable, allowedTable.length + 3);
        t[t.length - 3] = region.address();
        t[t.length - 2] = region.byteSize();
        t[t.length - 1] = writable ? 1 : 0;
        allowedTable = t;
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
        for (MemorySegment m : regions) {
            if (!m.isNative()) throw new IllegalArgumentException("memory for a BPF program must be native memory: " + m);
        }
        if (!this.memory.acquire()) throw new ExecutionException(Errno.ENOENT, -1, "program is unloaded", null);
        JitRun run = JitRun.enter(arch, progArrays);
        try {
            for (int i = 0; i < regions.size(); i++) {
                MemorySegment m = regions.get(i);
                if (m.byteSize() != 0) run.addRegion(m.address(), m.byteSize(), writable.get(i));
            }
            return runEntered(run, r1, r2);
        } finally {
            run.exit();
            this.memory.release();
        }
    }

    /** A run with core's {@link org.obpf.core.run.ExecutionEngine.Region regions} (JitExecution's runs). */
    long run(long r1, long r2, List<org.obpf.core.run.ExecutionEngine.Region> regions) throws ExecutionException {
        for (var r : regions) {
            if (!r.memory().isNative()) throw new IllegalArgumentException("memory for a BPF program must be native memory: " + r.memory());
        }
        if (!this.memory.acquire()) throw new ExecutionException(Errno.ENOENT, -1, "program is unloaded", null);
        JitRun run = JitRun.enter(arch, progArrays);
        try {
            for (var r : regions) {
                MemorySegment m = r.memory();
                if (m.byteSize() != 0) run.addRegion(m.address(), m.byteSize(), r.writable());
            }
            return runEntered(run, r1, r2);
        } finally {
            run.exit();
            this.memory.release();
        }
    }

    private long runEntered(JitRun run, long r1, long r2) throws ExecutionException {
        run.programs.add(this);
        long[] t = allowedTable;
        for (int i = 0; i < t.length; i += 3) run.addRegion(t[i], t[i + 1], t[i + 2] != 0);
        long r0;
        try {
            r0 = upcalls ? (long) CALL_ENTRY.invokeExact(entry, r1, r2, run.contextAddress())
                    : (long) CALL_ENTRY_CRITICAL.invokeExact(entry, r1, r2, run.contextAddress());
        } catch (Throwable e) {
            throw new ExecutionException(Errno.EFAULT, -1, "run failed: " + e, e);
        }
        run.checkError();
        return r0;
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
