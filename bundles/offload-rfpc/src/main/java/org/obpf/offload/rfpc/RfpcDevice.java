package org.obpf.offload.rfpc;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import org.obpf.api.BpfException;
import org.obpf.api.Errno;
import org.obpf.api.insn.Insn;
import org.obpf.api.jit.CompileRequest;
import org.obpf.api.jit.Feature;
import org.obpf.api.jit.JitBackend;
import org.obpf.api.jit.JitException;
import org.obpf.api.jit.LinkException;
import org.obpf.api.jit.LinkedImage;
import org.obpf.api.jit.Refusal;
import org.obpf.api.jit.RelocatableImage;
import org.obpf.api.jit.Relocation;
import org.obpf.api.jit.Symbol;
import org.obpf.api.jit.SymbolTable;
import org.obpf.api.map.MapSpec;
import org.obpf.api.map.MapType;
import org.obpf.api.offload.DeviceImage;
import org.obpf.api.offload.DeviceInfo;
import org.obpf.api.offload.DeviceMap;
import org.obpf.api.offload.DeviceProgram;
import org.obpf.api.offload.FirmwareAtomics;
import org.obpf.api.offload.MemoryRegion;
import org.obpf.api.offload.OffloadCandidate;
import org.obpf.api.offload.OffloadCheck;
import org.obpf.api.offload.OffloadDevice;
import org.obpf.api.offload.OffloadException;
import org.obpf.api.prog.ProgramType;
import org.obpf.offload.rfpc.sim.AddressSpace;
import org.obpf.offload.rfpc.sim.CodeMemory;
import org.obpf.offload.rfpc.sim.Hart;
import org.obpf.offload.rfpc.sim.Region;

/**
 * A simulated RFPC SmartNIC: groups of RV32IMC cores sharing each group's local memory, a
 * private window per core (same device address on every core, translated to the core's slice of
 * local memory), code memory shared by all cores, DRAM for maps, and firmware helper routines.
 * Programs arrive linked against device addresses (static offload) or as a relocatable image
 * the device's loader relocates at a base it picks (dynamic offload). It generates no code
 * itself: {@link #translate} uses the {@code riscv32} back-end found in the service registry.
 */
public class RfpcDevice implements OffloadDevice {
    public static final String ARCH = "riscv32";
    /** Code bytes the query assumes per BPF instruction slot (64-bit operations take register pairs on RV32). */
    static final int BYTES_PER_SLOT = 32;

    /** Static or dynamic offload. */
    public enum Flow { STATIC, DYNAMIC }

    /** One core: its hart and where its window lives in its group's local memory. */
    record Core(Hart hart, byte[] groupMemory, int windowOffset, int windowBytes) {
        void clearWindow() {
            Arrays.fill(groupMemory, windowOffset, windowOffset + windowBytes, (byte) 0);
        }
    }

    private final RfpcConfig config;
    private final CodeMemory code;
    private final byte[] dram;
    private final Dram dramAlloc;
    private final Dram codeAlloc;
    private final Firmware firmware;
    private final List<Core> cores = new ArrayList<>();
    private final LinkedBlockingQueue<Core> idle = new LinkedBlockingQueue<>();
    private final Map<Long, RfpcMap> maps = new ConcurrentHashMap<>();
    private final Map<Long, RfpcProgram> programs = new ConcurrentHashMap<>();
    private final Map<Long, Integer> reserved = new ConcurrentHashMap<>();
    private final List<JitBackend> backends = new CopyOnWriteArrayList<>();
    private final ArrayDeque<String> trace = new ArrayDeque<>();
    private final DeviceInfo info;

    public RfpcDevice(RfpcConfig config) {
        this.config = config;
        this.code = new CodeMemory(Layout.CODE, config.codeBytes());
        this.dram = new byte[config.dramBytes()];
        this.dramAlloc = new Dram(config.name() + " DRAM", Integer.toUnsignedLong(Layout.DRAM), config.dramBytes());
        this.codeAlloc = new Dram(config.name() + " code memory", Layout.CODE, config.codeBytes());
        this.firmware = new Firmware(this);
        Region dramRegion = new Region("dram", Layout.DRAM, dram.length, dram, 0, true, Layout.DRAM_PENALTY);
        Region codeRegion = new Region("code", Layout.CODE, code.size(), code.bytes(), 0, false, 0);
        int id = 0;
        for (int g = 0; g < config.groups(); g++) {
            byte[] group = new byte[config.localBytes() + config.coresPerGroup() * config.windowBytes()];
            Region local = new Region("local", Layout.LOCAL, config.localBytes(), group, 0, true, 0);
            for (int c = 0; c < config.coresPerGroup(); c++, id++) {
                int off = config.localBytes() + c * config.windowBytes();
                Region window = new Region("core" + id, Layout.WINDOW, config.windowBytes(), group, off, true, 0);
                Hart hart = new Hart(id, code, new AddressSpace(List.of(window, dramRegion, local, codeRegion)), firmware);
                Core core = new Core(hart, group, off, config.windowBytes());
                cores.add(core);
                idle.add(core);
            }
        }
        Map<Integer, Long> helpers = new LinkedHashMap<>();
        for (int h : Firmware.HELPERS.keySet()) helpers.put(h, (long) Layout.helperAddress(h));
        Map<String, Long> routines = new LinkedHashMap<>();
        for (int i = 0; i < FirmwareAtomics.SYMBOLS.size(); i++) routines.put(FirmwareAtomics.SYMBOLS.get(i), (long) Layout.atomicAddress(i));
        this.info = new DeviceInfo(config.name(), ARCH, List.of(
                new MemoryRegion("firmware", MemoryRegion.Kind.MMIO, Layout.FIRMWARE, Layout.FIRMWARE_SIZE),
                new MemoryRegion("core", MemoryRegion.Kind.STACK, Layout.WINDOW, config.windowBytes()),
                new MemoryRegion("code", MemoryRegion.Kind.CODE, Layout.CODE, config.codeBytes()),
                new MemoryRegion("local", MemoryRegion.Kind.LOCAL, Layout.LOCAL, config.localBytes()),
                new MemoryRegion("dram", MemoryRegion.Kind.DRAM, Integer.toUnsignedLong(Layout.DRAM), config.dramBytes())),
                helpers, EnumSet.of(MapType.ARRAY, MapType.HASH), EnumSet.of(ProgramType.XDP), config.codeBytes(), true, true,
                routines, Set.of(FirmwareAtomics.EXTENSION));
    }

    public RfpcConfig config() {
        return config;
    }

    @Override
    public String name() {
        return config.name();
    }

    @Override
    public String arch() {
        return ARCH;
    }

    @Override
    public DeviceInfo info() {
        return info;
    }

    // ---- the riscv32 back-end, from the service registry ----

    protected void addBackend(JitBackend b) {
        if (ARCH.equals(b.arch())) backends.add(0, b);
    }

    protected void removeBackend(JitBackend b) {
        backends.remove(b);
    }

    /** The riscv32 back-end, if one is installed. */
    public Optional<JitBackend> backend() {
        return backends.isEmpty() ? Optional.empty() : Optional.of(backends.get(0));
    }

    private String noBackend() {
        return name() + " cannot load programs: no " + ARCH + " JIT back-end is installed (bpf.arch=" + ARCH
                + "); its maps and queries keep working";
    }

    // ---- the query: the device's own reasons ----

    @Override
    public OffloadCheck check(OffloadCandidate c) {
        List<Refusal> reasons = new ArrayList<>();
        if (backend().isEmpty()) reasons.add(new Refusal(Refusal.Kind.NO_BACKEND, -1, noBackend()));
        if (!info.programTypes().contains(c.type())) {
            reasons.add(new Refusal(Refusal.Kind.PROGRAM_TYPE, -1, name() + " runs xdp programs only, not " + c.type().kernelName()));
        }
        long[] insns = c.insns();
        for (int i = 0; i < insns.length; i++) {
            Set<Feature> f = Feature.required(insns[i]);
            if (f.contains(Feature.TAIL_CALL)) {
                reasons.add(new Refusal(Refusal.Kind.INSTRUCTION, i, "insn " + i + ": tail calls: " + name() + " has no prog array maps"));
            }
            if (f.contains(Feature.LD_ABS_IND) || f.contains(Feature.KFUNC_CALL)) {
                reasons.add(new Refusal(Refusal.Kind.INSTRUCTION, i, "insn " + i + ": "
                        + (f.contains(Feature.KFUNC_CALL) ? "kernel function calls" : "legacy packet loads") + " do not run on " + name()));
            }
            if (Insn.code(insns[i]) == 0x18) i++;
        }
        long needCode = (long) insns.length * BYTES_PER_SLOT;
        if (needCode > codeAlloc.largest()) {
            reasons.add(new Refusal(Refusal.Kind.SIZE, -1, "program of " + insns.length + " instructions needs about " + needCode
                    + " bytes of code memory; " + name() + " has " + codeAlloc.largest() + " free in one block (of "
                    + config.codeBytes() + ")"));
        }
        long needDram = 0;
        for (MapSpec m : c.maps()) {
            if (info.mapTypes().contains(m.type())) needDram += RfpcMap.footprint(m);
        }
        if (needDram > dramAlloc.largest()) {
            reasons.add(new Refusal(Refusal.Kind.SIZE, -1, "maps need " + needDram + " bytes of DRAM; " + name() + " has "
                    + dramAlloc.largest() + " free in one block (of " + config.dramBytes() + ")"));
        }
        return new OffloadCheck(name(), reasons);
    }

    // ---- maps ----

    @Override
    public DeviceMap createMap(MapSpec spec) throws BpfException {
        RfpcMap.check(name(), spec);
        long at = dramAlloc.allocate(RfpcMap.footprint(spec));
        RfpcMap m = spec.type() == MapType.ARRAY ? new RfpcMap.Array(this, spec, at) : new RfpcMap.Hash(this, spec, at);
        maps.put(at, m);
        return m;
    }

    RfpcMap mapAt(long address) {
        return maps.get(address);
    }

    Collection<RfpcMap> maps() {
        return maps.values();
    }

    void freeMap(RfpcMap m) {
        if (maps.remove(m.deviceAddress(), m)) dramAlloc.release(m.deviceAddress());
    }

    byte[] dramBytes() {
        return dram;
    }

    /** DRAM bytes free, for the query and tests. */
    public long dramFree() {
        return dramAlloc.free();
    }

    // ---- programs ----

    /**
     * Reserves code memory for a static image of {@code bytes}: the host links at the address
     * returned, then {@link #load}s the linked image there.
     */
    public long reserveCode(int bytes) throws BpfException {
        long at = codeAlloc.allocate(bytes);
        reserved.put(at, bytes);
        return at;
    }

    /** Code memory bytes free. */
    public long codeFree() {
        return codeAlloc.free();
    }

    @Override
    public DeviceProgram load(DeviceImage image) throws BpfException {
        return switch (image) {
            case DeviceImage.Static s -> loadStatic(s.name(), ProgramType.XDP, s.image());
            case DeviceImage.Dynamic d -> {
                if (!ARCH.equals(d.image().arch())) {
                    throw new BpfException(Errno.EINVAL, name() + ": image of " + d.name() + " is " + d.image().arch() + " code, the cores run " + ARCH);
                }
                if (!info.programTypes().contains(d.type())) {
                    throw new OffloadException(name(), List.of(new Refusal(Refusal.Kind.PROGRAM_TYPE, -1,
                            name() + " runs xdp programs only, not " + d.type().kernelName())));
                }
                for (int i = 0; i < d.maps().size(); i++) {
                    DeviceMap m = d.maps().get(i);
                    if (!(m instanceof RfpcMap rm) || rm.device != this) {
                        throw new BpfException(Errno.EINVAL, name() + ": " + d.name() + ": map " + i + " (" + m.spec().name()
                                + ") is not a map on this device" + (m instanceof RfpcMap rm ? " but on " + rm.device.name() : ""));
                    }
                }
                yield loadDynamic(DynamicImage.encode(d), d.type());
            }
        };
    }

    /** Static offload: the bytes go to exactly the address they were linked for. */
    RfpcProgram loadStatic(String progName, ProgramType type, LinkedImage li) throws BpfException {
        if (!ARCH.equals(li.arch())) {
            throw new BpfException(Errno.EINVAL, name() + ": image of " + progName + " is " + li.arch() + " code, the cores run " + ARCH);
        }
        long at = li.loadAddress();
        int size = li.size();
        if (!code.contains((int) at, size) || at != Integer.toUnsignedLong((int) at)) {
            throw new BpfException(Errno.EINVAL, String.format("%s: %s is linked for 0x%x..0x%x, outside code memory 0x%x..0x%x",
                    name(), progName, at, at + size, Layout.CODE, Layout.CODE + config.codeBytes()));
        }
        Integer r = reserved.remove(at);
        if (r == null) {
            codeAlloc.take(at, size);
        } else if (r < size) {
            reserved.put(at, r);
            throw new BpfException(Errno.EINVAL, String.format("%s: %s has %d bytes, %d were reserved at 0x%x", name(), progName, size, r, at));
        }
        byte[] bytes = li.code();
        code.load((int) at, bytes.length % 2 == 0 ? bytes : Arrays.copyOf(bytes, bytes.length + 1));
        RfpcProgram p = new RfpcProgram(this, progName, type, at, (int) li.entryAddress(), size);
        programs.put(at, p);
        return p;
    }

    /**
     * Dynamic offload, the device's side: parse what the host sent, pick a load base, resolve
     * maps against the device's own map table and helpers against its firmware, apply the
     * relocations, then write and decode the code.
     */
    public RfpcProgram loadDynamic(byte[] blob, ProgramType type) throws BpfException {
        DynamicImage d = DynamicImage.decode(name(), blob);
        List<RfpcMap> used = new ArrayList<>();
        for (int i = 0; i < d.mapAddresses().length; i++) {
            RfpcMap m = maps.get(d.mapAddresses()[i]);
            if (m == null) {
                throw new BpfException(Errno.EINVAL, String.format("%s: dynamic image %s: map %d at 0x%x is not a map on this device",
                        name(), d.name(), i, d.mapAddresses()[i]));
            }
            used.add(m);
        }
        long base = codeAlloc.allocate(d.code().length);
        byte[] bytes = d.code();
        List<String> problems = Relocator.apply(bytes, (int) base, d.relocations(), s -> resolve(s, base, d.subprogOffsets(), used));
        if (!problems.isEmpty()) {
            codeAlloc.release(base);
            throw new BpfException(Errno.EINVAL, name() + ": loading " + d.name() + ": " + String.join("; ", problems));
        }
        code.load((int) base, bytes.length % 2 == 0 ? bytes : Arrays.copyOf(bytes, bytes.length + 1));
        RfpcProgram p = new RfpcProgram(this, d.name(), type, base, (int) base + d.subprogOffsets()[0], bytes.length);
        programs.put(base, p);
        return p;
    }

    /** A symbol's device address, as the loader binds it. */
    private OptionalLong resolve(Symbol s, long base, int[] subprogs, List<? extends DeviceMap> used) {
        return switch (s.kind()) {
            case MAP -> s.index() >= 0 && s.index() < used.size() ? OptionalLong.of(used.get(s.index()).deviceAddress()) : OptionalLong.empty();
            case MAP_VALUE -> {
                if (s.index() < 0 || s.index() >= used.size()) yield OptionalLong.empty();
                long v = used.get(s.index()).valueAddress();
                yield v < 0 ? OptionalLong.empty() : OptionalLong.of(v);
            }
            case HELPER -> Firmware.HELPERS.containsKey(s.index()) ? OptionalLong.of(Layout.helperAddress(s.index())) : OptionalLong.empty();
            case SUBPROG -> s.index() >= 0 && s.index() < subprogs.length ? OptionalLong.of(base + subprogs[s.index()]) : OptionalLong.empty();
            case IMAGE -> OptionalLong.of(base);
            case RUNTIME -> {
                int i = FirmwareAtomics.SYMBOLS.indexOf(s.name());
                yield i < 0 ? OptionalLong.empty() : OptionalLong.of(Layout.atomicAddress(i));
            }
            case KFUNC -> OptionalLong.empty();
        };
    }

    /**
     * The symbol table for static offload: the device's addresses of everything {@code image}
     * refers to, for the host's {@link JitBackend#link} at {@code loadAddress}.
     */
    public SymbolTable symbols(long loadAddress, RelocatableImage image, List<? extends DeviceMap> used) {
        SymbolTable.Builder b = SymbolTable.at(loadAddress);
        int[] subs = image.subprogOffsets();
        for (Relocation r : image.relocations()) {
            resolve(r.symbol(), loadAddress, subs, used).ifPresent(a -> b.bind(r.symbol(), a));
        }
        return b.build();
    }

    /**
     * The kernel's {@code translate} offload op: compiles with the installed riscv32 back-end and
     * loads by the flow asked for.
     */
    public RfpcProgram translate(CompileRequest request, List<? extends DeviceMap> used, Flow flow) throws BpfException {
        JitBackend b = backend().orElseThrow(() -> new BpfException(Errno.ENODEV, noBackend()));
        OffloadCheck c = check(new OffloadCandidate(request.name(), request.type(), request.insns(),
                used.stream().map(DeviceMap::spec).toList()));
        if (!c.offloadable()) throw new OffloadException(name(), c.reasons());
        RelocatableImage image;
        try {
            image = b.compile(forDevice(request));
        } catch (JitException e) {
            throw new BpfException(Errno.EINVAL, name() + ": " + e.getMessage(), e);
        }
        if (flow == Flow.DYNAMIC) {
            return (RfpcProgram) load(new DeviceImage.Dynamic(request.name(), request.type(), image, List.copyOf(used)));
        }
        long at = reserveCode(image.size());
        try {
            return loadStatic(request.name(), request.type(), b.link(image, symbols(at, image, used)));
        } catch (LinkException e) {
            reserved.remove(at);
            codeAlloc.release(at);
            throw new BpfException(Errno.EINVAL, name() + ": static link of " + request.name() + ": " + e.getMessage(), e);
        } catch (BpfException e) {
            if (reserved.remove(at) != null) codeAlloc.release(at);
            throw e;
        }
    }

    /** The request with this device's JIT extensions added: the cores' atomics are firmware calls. */
    CompileRequest forDevice(CompileRequest r) {
        Set<String> ext = new java.util.TreeSet<>(r.options().extensions());
        ext.addAll(info.jitExtensions());
        return new CompileRequest(r.name(), r.type(), r.insns(), r.subprogStarts(), r.stackDepth(), r.zextInserted(),
                r.options().withExtensions(ext));
    }

    void unload(RfpcProgram p) {
        if (programs.remove(p.loadAddress(), p)) {
            code.unload((int) p.loadAddress(), p.size());
            codeAlloc.release(p.loadAddress());
        }
    }

    /** Bytes of code memory as loaded (after relocation). */
    byte[] codeAt(long address, int length) {
        return Arrays.copyOfRange(code.bytes(), (int) (address - Layout.CODE), (int) (address - Layout.CODE) + length);
    }

    /** Programs on the device now. */
    public List<RfpcProgram> programs() {
        return List.copyOf(programs.values());
    }

    // ---- cores ----

    Core acquire() throws BpfException {
        try {
            return idle.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BpfException(Errno.EAGAIN, name() + ": interrupted waiting for a free core");
        }
    }

    void release(Core c) {
        idle.add(c);
    }

    // ---- bpf_trace_printk output ----

    void trace(int core, String line) {
        synchronized (trace) {
            if (trace.size() == 1024) trace.removeFirst();
            trace.addLast("core" + core + ": " + line);
        }
    }

    /** What programs printed with {@code bpf_trace_printk}, oldest first (the last 1024 lines); clears it. */
    public List<String> drainTrace() {
        synchronized (trace) {
            List<String> out = new ArrayList<>(trace);
            trace.clear();
            return out;
        }
    }

    /** Frees every program and map: the device goes away. */
    protected void shutdown() {
        for (RfpcProgram p : List.copyOf(programs.values())) p.close();
        for (RfpcMap m : List.copyOf(maps.values())) m.close();
    }

    @Override
    public String toString() {
        return "RFPC " + name() + " (" + config.groups() + "x" + config.coresPerGroup() + " RV32IMC cores, "
                + config.codeBytes() / 1024 + " KiB code, " + config.dramBytes() / 1024 + " KiB DRAM)";
    }
}
