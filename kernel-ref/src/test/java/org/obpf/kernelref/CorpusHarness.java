package org.obpf.kernelref;

import static org.obpf.api.insn.Opcodes.BPF_DW;
import static org.obpf.api.insn.Opcodes.BPF_IMM;
import static org.obpf.api.insn.Opcodes.BPF_LD;
import static org.obpf.api.insn.Opcodes.BPF_PSEUDO_FUNC;
import static org.obpf.api.insn.Opcodes.BPF_PSEUDO_MAP_FD;
import static org.obpf.api.insn.Opcodes.BPF_PSEUDO_MAP_IDX;
import static org.obpf.api.insn.Opcodes.BPF_PSEUDO_MAP_IDX_VALUE;
import static org.obpf.api.insn.Opcodes.BPF_PSEUDO_MAP_VALUE;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.obpf.api.BpfException;
import org.obpf.api.Errno;
import org.obpf.api.insn.Insn;
import org.obpf.api.map.MapType;
import org.obpf.api.obj.BpfObject;
import org.obpf.api.obj.MapDefinition;
import org.obpf.api.obj.ProgramSpec;
import org.obpf.api.prog.ProgramType;
import org.obpf.api.prog.TestRun;
import org.obpf.core.helper.HelperTable;
import org.obpf.core.interp.Program;
import org.obpf.core.map.AbstractBpfMap;
import org.obpf.core.map.MapOfMaps;
import org.obpf.core.map.MapTable;
import org.obpf.core.map.ProgArrayMap;
import org.obpf.core.map.RingBufMap;
import org.obpf.core.prelink.Prelinked;
import org.obpf.core.prelink.Prelinker;
import org.obpf.core.run.TestRunner;
import org.obpf.loader.ElfObjectLoader;

/**
 * Runs the programs of one corpus object ({@code corpus/NAME.o}, loaded by OBPF's
 * {@link ElfObjectLoader}) on one side: {@link Obpf} (core's maps, prelinker and
 * {@link TestRunner} on the interpreter) or {@link Kern} (the same maps and instructions through
 * {@code bpf()} and {@code BPF_PROG_TEST_RUN}). Both sides answer the same questions, so a test
 * can drive one or both with the same steps and compare.
 *
 * <p>Map references: the loader leaves {@code lddw} src 5 ({@code BPF_PSEUDO_MAP_IDX}, imm = map
 * index) and src 6 ({@code BPF_PSEUDO_MAP_IDX_VALUE}, + value offset in the second imm). OBPF
 * resolves them through the prelinker's {@code byIndex}; for the kernel they become src 1 / src 2
 * with the map's fd (an {@code fd_array} would do as well; fds are what libbpf passes).
 *
 * <p>{@code .rodata} maps are written but not frozen on the kernel: kernel-ref has no
 * {@code BPF_MAP_FREEZE} wrapper, and freezing only lets the verifier treat the reads as constants
 * (dead-branch pruning); the values read, and so every result, are the same. OBPF has no freeze
 * either.
 */
final class CorpusHarness {
    private CorpusHarness() {}

    static final int SKB_CTX_SIZE = 192; // sizeof(struct __sk_buff)

    /** The object {@code corpus/NAME.o} from the class path, through OBPF's loader. */
    static BpfObject object(String name) {
        String res = "corpus/" + name + ".o";
        try (InputStream in = CorpusHarness.class.getClassLoader().getResourceAsStream(res)) {
            if (in == null) throw new IllegalStateException(res + " is not on the class path");
            return new ElfObjectLoader().load(name + ".o", in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (BpfException e) {
            throw new IllegalStateException("loading " + res + ": " + e.getMessage(), e);
        }
    }

    /** The names in {@code corpus/index.txt}. */
    static List<String> index() {
        try (InputStream in = CorpusHarness.class.getClassLoader().getResourceAsStream("corpus/index.txt")) {
            return new String(in.readAllBytes()).lines().map(String::strip).filter(s -> !s.isEmpty() && !s.startsWith("#")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Types {@code BPF_PROG_TEST_RUN} runs on both sides. */
    static boolean runnable(ProgramType t) {
        return t == ProgramType.XDP || t == ProgramType.SCHED_CLS || t == ProgramType.SCHED_ACT || t == ProgramType.SOCKET_FILTER;
    }

    static boolean skb(ProgramType t) {
        return t == ProgramType.SCHED_CLS || t == ProgramType.SCHED_ACT || t == ProgramType.SOCKET_FILTER;
    }

    /** What one run gave: r0 as u32, the packet after the run, the context after it (null when none was asked for). */
    record Out(long retval, byte[] dataOut, byte[] ctxOut) {
        @Override
        public String toString() {
            return "retval " + retval + ", data_out " + hex(dataOut) + (ctxOut == null ? "" : ", ctx_out " + hex(ctxOut));
        }
    }

    /** One side: the object's maps and its runnable programs. */
    interface Side extends AutoCloseable {
        BpfObject object();

        /** Runs {@code prog} on {@code data}; with {@code ctx}, an all-zero {@code struct __sk_buff} goes in and comes out. */
        Out run(String prog, byte[] data, boolean ctx) throws Exception;

        void update(String map, byte[] key, byte[] value) throws Exception;

        /** User space's prog_array update: {@code map[slot] = prog}. */
        void setProg(String map, int slot, String prog) throws Exception;

        /** {@code BPF_MAP_LOOKUP_ELEM} with no key: the head of a queue or stack. */
        Optional<byte[]> peek(String map) throws Exception;

        /**
         * Every key of {@code map} (BPF_MAP_GET_NEXT_KEY from none) and its value, as hex strings
         * sorted by key; per-CPU values are the sums over all CPUs of each u64 lane (the value as
         * a program on one CPU sees it when only one CPU ran it, whichever CPU that was).
         */
        TreeMap<String, String> dump(String map) throws Exception;

        @Override
        void close() throws BpfException;
    }

    /** True for maps whose contents {@link Side#dump} lists (keyed maps). */
    /** A map-in-map's slots: hex key to the name of the object's map the slot holds (ids differ between the sides). */
    static <E extends Exception> TreeMap<String, String> dumpSlots(List<byte[]> keys, ThrowingLookup<E> lookup,
                                                                  java.util.function.IntFunction<String> nameById) throws E {
        TreeMap<String, String> out = new TreeMap<>();
        for (byte[] k : keys) {
            byte[] v = lookup.apply(k);
            if (v == null) continue;
            int id = ByteBuffer.wrap(v).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt();
            String n = nameById.apply(id);
            out.put(hex(k), n != null ? n : "map id " + id + " (not of the object)");
        }
        return out;
    }

    private static TreeMap<String, String> dumpSlots(Obpf side, String name, java.util.function.IntFunction<String> nameById) throws BpfException {
        AbstractBpfMap m = side.map(name);
        List<byte[]> keys = new ArrayList<>();
        byte[] k = null;
        while (true) {
            try {
                k = m.nextKey(k);
            } catch (BpfException e) {
                if (e.errno() == Errno.ENOENT) break;
                throw e;
            }
            keys.add(k);
        }
        return dumpSlots(keys, key -> {
            try {
                return m.lookup(key);
            } catch (BpfException e) {
                if (e.errno() == Errno.ENOENT) return null;
                throw e;
            }
        }, nameById);
    }

    @FunctionalInterface
    interface ThrowingLookup<E extends Exception> {
        byte[] apply(byte[] key) throws E;
    }

    static boolean dumpable(MapType t) {
        return switch (t) {
            case ARRAY, PERCPU_ARRAY, HASH, PERCPU_HASH, LRU_HASH, LRU_PERCPU_HASH, LPM_TRIE, ARRAY_OF_MAPS, HASH_OF_MAPS -> true;
            default -> false;
        };
    }

    static boolean perCpu(MapType t) {
        return t == MapType.PERCPU_ARRAY || t == MapType.PERCPU_HASH || t == MapType.LRU_PERCPU_HASH;
    }

    /** Sums {@code cpus} values of {@code valueSize} bytes (each rounded up to 8) lane by lane as u64. */
    static byte[] sumPerCpu(byte[] all, int valueSize, int cpus) {
        int stride = (valueSize + 7) & ~7;
        ByteBuffer in = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer out = ByteBuffer.allocate(stride).order(ByteOrder.LITTLE_ENDIAN);
        for (int lane = 0; lane < stride; lane += 8) {
            long sum = 0;
            for (int c = 0; c < cpus; c++) sum += in.getLong(c * stride + lane);
            out.putLong(lane, sum);
        }
        return Arrays.copyOf(out.array(), valueSize);
    }

    static String hex(byte[] b) {
        return b == null ? "null" : HexFormat.of().formatHex(b);
    }

    /** u64 values, little-endian, one after the other (a raw tracepoint's args). */
    static byte[] concat8(long... v) {
        ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long x : v) b.putLong(x);
        return b.array();
    }

    static byte[] u32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    // ------------------------------------------------------------------------------------------
    // OBPF

    /** OBPF: a {@link MapTable}, the prelinker, the interpreter through {@link TestRunner}. */
    static final class Obpf implements Side {
        private final BpfObject obj;
        private final MapTable table;
        private final int[] fds;
        private final Map<String, Prelinked> prelinked = new LinkedHashMap<>();
        private final Map<String, Program> programs = new LinkedHashMap<>();
        private final TestRunner runner;
        private final boolean interpreter;

        Obpf(BpfObject obj) throws BpfException {
            this(obj, new org.obpf.core.run.InterpreterExecution());
        }

        /** With {@code engine} running the programs (the interpreter, or a JIT). */
        Obpf(BpfObject obj, org.obpf.core.run.ExecutionEngine engine) throws BpfException {
            this.obj = obj;
            this.runner = new TestRunner(engine);
            this.interpreter = engine instanceof org.obpf.core.run.InterpreterExecution;
            this.table = new MapTable();
            this.fds = new int[obj.maps().size()];
            for (int i = 0; i < fds.length; i++) {
                MapDefinition d = obj.maps().get(i);
                if (d.innerMap().isPresent()) {
                    // as libbpf: a template map of the inner definition is inner_map_fd, then closed
                    int template = table.create(d.innerMap().get().spec());
                    fds[i] = table.create(d.spec(), template);
                    table.close(template);
                } else {
                    fds[i] = table.create(d.spec());
                }
                if (d.kind().globalData() && d.initialValue().length > 0) {
                    table.get(fds[i]).update(new byte[4], d.initialValue(), AbstractBpfMap.BPF_ANY);
                }
            }
            Prelinker.MapResolver resolver = new Prelinker.MapResolver() {
                @Override
                public AbstractBpfMap byFd(int fd) throws BpfException {
                    return table.get(fd);
                }

                @Override
                public AbstractBpfMap byIndex(int idx) throws BpfException {
                    if (idx < 0 || idx >= fds.length) throw new BpfException(Errno.EINVAL, "map index " + idx);
                    return table.get(fds[idx]);
                }
            };
            for (ProgramSpec p : obj.programs()) {
                if (!runnable(p.type())) continue;
                Prelinked pl = Prelinker.prelink(p.insns(), p.type(), resolver, HelperTable.builtins(p.type()),
                        Prelinker.Options.DEFAULT.withExpectedAttachType(p.expectedAttachType()));
                prelinked.put(p.name(), pl);
                programs.put(p.name(), pl.toInterpreter());
            }
            for (int i = 0; i < fds.length; i++) {
                MapDefinition d = obj.maps().get(i);
                if (d.spec().type() == MapType.PROG_ARRAY) {
                    for (var slot : d.initialSlots().entrySet()) setProg(d.name(), slot.getKey(), slot.getValue());
                } else if (d.innerMap().isPresent()) {
                    for (var slot : d.initialSlots().entrySet()) update(d.name(), u32(slot.getKey()), u32(fds[obj.mapIndex(slot.getValue())]));
                }
            }
        }

        @Override
        public BpfObject object() {
            return obj;
        }

        /** The prelinked program {@code name}, or null. */
        Prelinked prelinked(String name) {
            return prelinked.get(name);
        }

        AbstractBpfMap map(String name) throws BpfException {
            int i = obj.mapIndex(name);
            if (i < 0) throw new IllegalArgumentException(obj.name() + " has no map " + name);
            return table.get(fds[i]);
        }

        @Override
        public Out run(String prog, byte[] data, boolean ctx) throws BpfException {
            Prelinked p = prelinked.get(prog);
            if (p == null) throw new IllegalArgumentException(obj.name() + " has no runnable program " + prog);
            TestRun.Request req = ctx ? new TestRun.Request(data, data.length + TestRunAttr.DATA_OUT_SLACK, new byte[SKB_CTX_SIZE], SKB_CTX_SIZE, 1)
                    : new TestRun.Request(data, data.length + TestRunAttr.DATA_OUT_SLACK, null, 0, 1);
            TestRun.Result r = runner.run(p, req);
            if (r.error() != null) throw new BpfException(r.error(), "test run of " + prog + " reported " + r.error());
            return new Out(r.retval() & 0xffffffffL, r.dataOut(), r.ctxOut());
        }

        @Override
        public void update(String map, byte[] key, byte[] value) throws BpfException {
            map(map).update(key, value, AbstractBpfMap.BPF_ANY);
        }

        @Override
        public void setProg(String map, int slot, String prog) throws BpfException {
            Program p = programs.get(prog);
            if (p == null) throw new IllegalArgumentException(obj.name() + " has no runnable program " + prog);
            // the interpreter tail-calls interpreter programs; other engines compile the prelinked program
            ((ProgArrayMap) map(map)).set(slot, interpreter ? p : prelinked.get(prog));
        }

        @Override
        public Optional<byte[]> peek(String map) throws BpfException {
            try {
                return Optional.of(map(map).lookup(null));
            } catch (BpfException e) {
                if (e.errno() == Errno.ENOENT) return Optional.empty();
                throw e;
            }
        }

        @Override
        public TreeMap<String, String> dump(String name) throws BpfException {
            AbstractBpfMap m = map(name);
            if (m instanceof MapOfMaps) {
                Map<Integer, String> byId = new java.util.HashMap<>();
                for (int i = 0; i < fds.length; i++) byId.put(table.get(fds[i]).id(), obj.maps().get(i).name());
                return dumpSlots(this, name, byId::get);
            }
            TreeMap<String, String> out = new TreeMap<>();
            byte[] k = null;
            while (true) {
                try {
                    k = m.nextKey(k);
                } catch (BpfException e) {
                    if (e.errno() == Errno.ENOENT) break;
                    throw e;
                }
                byte[] v = m.lookup(k);
                if (perCpu(m.spec().type())) v = sumPerCpu(v, m.spec().valueSize(), m.possibleCpus());
                out.put(hex(k), hex(v));
            }
            return out;
        }

        /** The records a ring buffer holds, consumed. */
        List<byte[]> ringbufRecords(String name) throws BpfException {
            List<byte[]> records = new ArrayList<>();
            Consumer<ByteBuffer> c = bb -> {
                byte[] b = new byte[bb.remaining()];
                bb.get(b);
                records.add(b);
            };
            ((RingBufMap) map(name)).consume(c);
            return records;
        }

        @Override
        public void close() {
            prelinked.values().forEach(Prelinked::release);
            for (int fd : fds) {
                try {
                    table.close(fd);
                } catch (BpfException ignored) {
                    // closed already
                }
            }
        }
    }

    // ------------------------------------------------------------------------------------------
    // The kernel

    /** The possible CPUs of this machine, as per-CPU map values are sized ({@code /sys/devices/system/cpu/possible}). */
    static int kernelPossibleCpus() {
        try {
            String s = Files.readString(Path.of("/sys/devices/system/cpu/possible")).strip();
            int max = 0;
            for (String part : s.split(",")) {
                String[] r = part.split("-");
                max = Math.max(max, Integer.parseInt(r[r.length - 1]));
            }
            return max + 1;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The program with {@code lddw} src 5/6 rewritten to src 1/2 and the map's fd, as libbpf does before BPF_PROG_LOAD. */
    static long[] bindToFds(long[] insns, int[] fds) {
        long[] out = insns.clone();
        for (int pc = 0; pc < out.length; pc++) {
            if (Insn.code(out[pc]) != (BPF_LD | BPF_IMM | BPF_DW)) continue;
            int src = Insn.src(out[pc]);
            if (src == BPF_PSEUDO_MAP_IDX || src == BPF_PSEUDO_MAP_IDX_VALUE) {
                int idx = Insn.imm(out[pc]);
                int newSrc = src == BPF_PSEUDO_MAP_IDX ? BPF_PSEUDO_MAP_FD : BPF_PSEUDO_MAP_VALUE;
                long w = (out[pc] & ~(0xfL << 12)) | ((long) newSrc << 12);
                out[pc] = Insn.withImm(w, fds[idx]);
            }
            pc++; // second slot: the value offset stays
        }
        return out;
    }

    /** The kernel: maps through {@link KernelMap}, programs through BPF_PROG_LOAD, runs through BPF_PROG_TEST_RUN. */
    static final class Kern implements Side {
        private final BpfObject obj;
        private final List<KernelMap> maps = new ArrayList<>();
        private final Map<String, Integer> progFds = new LinkedHashMap<>();
        private final int cpus = kernelPossibleCpus();

        /** The object's maps and its programs of the types both sides test_run. */
        Kern(BpfObject obj) throws KernelBpfException {
            this(obj, false);
        }

        /** With {@code kernelOnly}, also the programs of types only the kernel test_runs ({@link #kernelRunnable}). */
        Kern(BpfObject obj, boolean kernelOnly) throws KernelBpfException {
            this.obj = obj;
            try {
                for (MapDefinition d : obj.maps()) {
                    KernelMap m = KernelMap.create(d.spec(), d.innerMap().map(MapDefinition::spec).orElse(null));
                    maps.add(m);
                    if (d.kind().globalData() && d.initialValue().length > 0) m.update(new byte[4], d.initialValue());
                }
                int[] fds = maps.stream().mapToInt(KernelMap::fd).toArray();
                for (ProgramSpec p : obj.programs()) {
                    if (!runnable(p.type()) && !(kernelOnly && kernelRunnable(p.type()))) continue;
                    ProgLoadAttr attr = ProgLoadAttr.of(p.type(), bindToFds(p.insns(), fds)).withName(kernelName(p.name()));
                    if (p.expectedAttachType().isPresent()) attr = attr.withExpectedAttachType(p.expectedAttachType().get().kernelId());
                    progFds.put(p.name(), SubprogBtf.needed(attr.insns()) ? loadWithFuncInfo(attr, p) : KernelBpf.progLoad(attr).fd());
                }
                for (MapDefinition d : obj.maps()) {
                    if (d.spec().type() == MapType.PROG_ARRAY) {
                        for (var slot : d.initialSlots().entrySet()) setProg(d.name(), slot.getKey(), slot.getValue());
                    } else if (d.innerMap().isPresent()) {
                        for (var slot : d.initialSlots().entrySet()) update(d.name(), u32(slot.getKey()), u32(map(slot.getValue()).fd()));
                    }
                }
            } catch (KernelBpfException | RuntimeException e) {
                try {
                    close();
                } catch (KernelBpfException c) {
                    e.addSuppressed(c);
                }
                throw e;
            }
        }

        private static int loadWithFuncInfo(ProgLoadAttr a, ProgramSpec p) throws KernelBpfException {
            List<Integer> starts = new ArrayList<>();
            starts.add(0);
            for (ProgramSpec.Subprogram s : p.subprograms()) starts.add(s.start());
            return SubprogBtf.progLoad(a.withLog(1, ProgLoadAttr.DEFAULT_LOG_SIZE), starts).fd();
        }

        private static String kernelName(String n) {
            return n.length() > 15 ? n.substring(0, 15) : n;
        }

        @Override
        public BpfObject object() {
            return obj;
        }

        KernelMap map(String name) {
            int i = obj.mapIndex(name);
            if (i < 0) throw new IllegalArgumentException(obj.name() + " has no map " + name);
            return maps.get(i);
        }

        /** Types whose test_run the kernel has and OBPF's TestRunner has not. */
        static boolean kernelRunnable(ProgramType t) {
            return t == ProgramType.RAW_TRACEPOINT || t == ProgramType.SYSCALL || t == ProgramType.CGROUP_SKB || t == ProgramType.SK_SKB;
        }

        /** BPF_PROG_TEST_RUN of {@code prog} with {@code attr} as given. */
        TestRunResult testRun(String prog, TestRunAttr attr) throws KernelBpfException {
            Integer fd = progFds.get(prog);
            if (fd == null) throw new IllegalArgumentException(obj.name() + " has no loaded program " + prog);
            return KernelBpf.progTestRun(fd, attr);
        }

        @Override
        public Out run(String prog, byte[] data, boolean ctx) throws KernelBpfException {
            Integer fd = progFds.get(prog);
            if (fd == null) throw new IllegalArgumentException(obj.name() + " has no runnable program " + prog);
            TestRunResult r = KernelBpf.progTestRun(fd, ctx ? TestRunAttr.packet(data, new byte[SKB_CTX_SIZE]) : TestRunAttr.packet(data));
            return new Out(r.retvalUnsigned(), r.dataOut(), ctx ? r.ctxOut() : null);
        }

        @Override
        public void update(String map, byte[] key, byte[] value) throws KernelBpfException {
            map(map).update(key, value);
        }

        @Override
        public void setProg(String map, int slot, String prog) throws KernelBpfException {
            Integer fd = progFds.get(prog);
            if (fd == null) throw new IllegalArgumentException(obj.name() + " has no runnable program " + prog);
            map(map).update(u32(slot), u32(fd));
        }

        @Override
        public Optional<byte[]> peek(String map) throws KernelBpfException {
            // BPF_MAP_LOOKUP_ELEM with key = NULL: the kernel refuses a key pointer for key_size 0 (EINVAL)
            KernelMap m = map(map);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment value = arena.allocate(Math.max(m.spec().valueSize(), 1), 8);
                MemorySegment attr = arena.allocate(KernelBpf.ELEM_SIZE, 8);
                attr.set(ValueLayout.JAVA_INT_UNALIGNED, KernelBpf.ELEM_MAP_FD, m.fd());
                attr.set(ValueLayout.JAVA_LONG_UNALIGNED, KernelBpf.ELEM_VALUE, value.address());
                Sys.Ret r = Sys.bpf(KernelBpf.BPF_MAP_LOOKUP_ELEM, attr, KernelBpf.ELEM_SIZE);
                if (r.failed()) {
                    if (r.errno() == 2) return Optional.empty();
                    throw new KernelBpfException(r.errno(), "BPF_MAP_LOOKUP_ELEM (peek) on " + map + ": " + KernelBpfException.errnoName(r.errno()));
                }
                return Optional.of(value.asSlice(0, m.spec().valueSize()).toArray(ValueLayout.JAVA_BYTE));
            }
        }

        private static final MethodHandle MMAP;
        private static final MethodHandle MUNMAP;

        static {
            Linker linker = Linker.nativeLinker();
            MMAP = linker.downcallHandle(linker.defaultLookup().find("mmap").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
                            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
            MUNMAP = linker.downcallHandle(linker.defaultLookup().find("munmap").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
        }

        private static final int PROT_READ = 1, MAP_SHARED = 1, PAGE = 4096;

        /**
         * The records a kernel ring buffer holds, read as libbpf's ring_buffer__consume does but
         * without moving the consumer: the consumer page (offset 0) and the producer page plus the
         * data pages (offset one page, mapped read-only, the data twice) through mmap(2); from
         * consumer_pos to producer_pos, each 8-byte header's length, discarded records skipped.
         */
        List<byte[]> ringbufRecords(String name) throws Throwable {
            KernelMap m = map(name);
            long dataSize = m.spec().maxEntries();
            MemorySegment cons = (MemorySegment) MMAP.invokeExact(MemorySegment.NULL, (long) PAGE, PROT_READ, MAP_SHARED, m.fd(), 0L);
            long prodLen = PAGE + 2 * dataSize;
            MemorySegment prod = (MemorySegment) MMAP.invokeExact(MemorySegment.NULL, prodLen, PROT_READ, MAP_SHARED, m.fd(), (long) PAGE);
            if (cons.address() == -1L || prod.address() == -1L) throw new IllegalStateException("mmap of ring buffer " + name + " failed");
            try {
                cons = cons.reinterpret(PAGE);
                prod = prod.reinterpret(prodLen);
                long consPos = cons.get(ValueLayout.JAVA_LONG, 0);
                long prodPos = prod.get(ValueLayout.JAVA_LONG, 0);
                MemorySegment data = prod.asSlice(PAGE);
                List<byte[]> records = new ArrayList<>();
                for (long pos = consPos; pos < prodPos; ) {
                    int hdr = data.get(ValueLayout.JAVA_INT, pos & (dataSize - 1));
                    int len = hdr & ~(RingBufMap.BPF_RINGBUF_BUSY_BIT | RingBufMap.BPF_RINGBUF_DISCARD_BIT);
                    if ((hdr & RingBufMap.BPF_RINGBUF_BUSY_BIT) != 0) break;
                    if ((hdr & RingBufMap.BPF_RINGBUF_DISCARD_BIT) == 0) {
                        records.add(data.asSlice((pos + RingBufMap.BPF_RINGBUF_HDR_SZ) & (dataSize - 1), len).toArray(ValueLayout.JAVA_BYTE));
                    }
                    pos += (len + RingBufMap.BPF_RINGBUF_HDR_SZ + 7) & ~7;
                }
                return records;
            } finally {
                int a = (int) MUNMAP.invokeExact(cons, (long) PAGE);
                int b = (int) MUNMAP.invokeExact(prod, prodLen);
            }
        }

        @Override
        public TreeMap<String, String> dump(String name) throws KernelBpfException {
            KernelMap m = map(name);
            if (m.spec().type() == MapType.ARRAY_OF_MAPS || m.spec().type() == MapType.HASH_OF_MAPS) {
                Map<Integer, String> byId = new java.util.HashMap<>();
                for (int i = 0; i < maps.size(); i++) byId.put(maps.get(i).id(), obj.maps().get(i).name());
                return dumpSlots(m.keys(), k -> m.lookup(k).orElse(null), byId::get);
            }
            boolean pc = perCpu(m.spec().type());
            int vs = m.spec().valueSize();
            TreeMap<String, String> out = new TreeMap<>();
            for (byte[] k : m.keys()) {
                byte[] v = pc ? KernelBpf.mapLookup(m.fd(), k, ((vs + 7) & ~7) * cpus).map(all -> sumPerCpu(all, vs, cpus)).orElse(null)
                        : m.lookup(k).orElse(null);
                out.put(hex(k), hex(v));
            }
            return out;
        }

        @Override
        public void close() throws KernelBpfException {
            KernelBpfException first = null;
            for (int fd : progFds.values()) {
                try {
                    KernelBpf.close(fd);
                } catch (KernelBpfException e) {
                    if (first == null) first = e;
                }
            }
            progFds.clear();
            for (KernelMap m : maps) {
                try {
                    m.close();
                } catch (KernelBpfException e) {
                    if (first == null) first = e;
                }
            }
            maps.clear();
            if (first != null) throw first;
        }
    }
}
