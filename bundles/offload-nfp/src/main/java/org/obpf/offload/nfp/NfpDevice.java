package org.obpf.offload.nfp;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
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
import org.obpf.api.offload.MemoryRegion;
import org.obpf.api.offload.OffloadCandidate;
import org.obpf.api.offload.OffloadCheck;
import org.obpf.api.offload.OffloadDevice;
import org.obpf.api.offload.OffloadException;
import org.obpf.api.prog.ProgramType;
import org.obpf.offload.nfp.sim.Fields;
import org.obpf.offload.nfp.sim.Microengine;
import org.obpf.offload.nfp.sim.Store;

/**
 * A simulated Netronome NFP-6xxx SmartNIC running the code of the {@code nfp} back-end
 * (jit-nfp): one microengine (a BPF program runs in one context), its 16K-word code store with
 * the firmware's routines at the top, local memory (the 512-byte BPF stack and the packet
 * vector), packet memory (CTM) and DRAM for maps. Programs arrive linked on the host against
 * the device's addresses (static offload) or relocatable, for the device's loader to bind at a
 * base it picks (dynamic offload). The back-end is found in the service registry, never imported.
 */
public class NfpDevice implements OffloadDevice {
    public static final String ARCH = "nfp";
    /** Where the firmware lives in the code store (words): next-packet entry, then helper id n at +n. */
    public static final int FW_WORD = 0x3f00, NEXT_PACKET_WORD = FW_WORD;
    /** The runtime symbol jit-nfp names the next-packet entry by. */
    public static final String NEXT_PACKET = "nfp_next_packet";
    /** 40-bit DRAM address of the maps' memory. */
    public static final long DRAM_BASE = 0x10_0000_0000L;
    /** CTM packet buffer: 32-bit address and size; the packet starts {@value #HEADROOM} bytes in. */
    public static final int CTM_BASE = 0x0001_0000, CTM_BYTES = 16384, HEADROOM = 128;
    /** Local memory: the stack at 0, the packet vector after it. */
    public static final int LM_STACK = 0, LM_PKT_VEC = 0x200, STACK_BYTES = 512;
    /** Packet vector words (main.h PKT_VEC_*): length, packet pointer. */
    static final int PV_LEN = 0, PV_PTR = 8;
    /** Largest packet the packet vector's 14-bit length and the CTM buffer take. */
    public static final int MAX_PACKET = CTM_BYTES - HEADROOM - 256;

    /** Static or dynamic offload. */
    public enum Flow { STATIC, DYNAMIC }

    private final String name;
    final byte[] dram;
    final byte[] ctm = new byte[CTM_BYTES];
    private final Store dramStore;
    private final Store codeStore = new Store("code store", 0, FW_WORD);
    final Microengine me;
    final NfpFirmware firmware;
    private final Map<Integer, NfpMap> maps = new ConcurrentHashMap<>();
    private final Map<Long, NfpProgram> programs = new ConcurrentHashMap<>();
    private final Map<Long, Integer> reserved = new ConcurrentHashMap<>();
    private final List<JitBackend> backends = new CopyOnWriteArrayList<>();
    private final DeviceInfo info;
    private int nextMapId = 1;

    public NfpDevice(String name, int dramBytes) {
        this.name = name;
        this.dram = new byte[dramBytes];
        this.dramStore = new Store(name + " DRAM", DRAM_BASE, dramBytes);
        this.firmware = new NfpFirmware(this);
        this.me = new Microengine(ctm, CTM_BASE, dram, DRAM_BASE, firmware, name.hashCode());
        Map<Integer, Long> helpers = new LinkedHashMap<>();
        for (int h : NfpFirmware.HELPERS) helpers.put(h, 8L * (FW_WORD + h));
        this.info = new DeviceInfo(name, ARCH, List.of(
                new MemoryRegion("code", MemoryRegion.Kind.CODE, 0, 8L * FW_WORD),
                new MemoryRegion("firmware", MemoryRegion.Kind.MMIO, 8L * FW_WORD, 8L * (Microengine.CODE_WORDS - FW_WORD)),
                new MemoryRegion("lmem", MemoryRegion.Kind.STACK, LM_STACK, STACK_BYTES),
                new MemoryRegion("ctm", MemoryRegion.Kind.PACKET, CTM_BASE, CTM_BYTES),
                new MemoryRegion("dram", MemoryRegion.Kind.DRAM, DRAM_BASE, dramBytes)),
                helpers, EnumSet.of(MapType.ARRAY, MapType.HASH, MapType.PERF_EVENT_ARRAY), EnumSet.of(ProgramType.XDP, ProgramType.SCHED_CLS),
                8L * FW_WORD, true, true);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String arch() {
        return ARCH;
    }

    @Override
    public DeviceInfo info() {
        return info;
    }

    // ---- the nfp back-end, from the service registry ----

    protected void addBackend(JitBackend b) {
        if (ARCH.equals(b.arch())) backends.add(0, b);
    }

    protected void removeBackend(JitBackend b) {
        backends.remove(b);
    }

    public Optional<JitBackend> backend() {
        return backends.isEmpty() ? Optional.empty() : Optional.of(backends.get(0));
    }

    private String noBackend() {
        return name + " cannot load programs: no " + ARCH + " JIT back-end is installed (bpf.arch=" + ARCH
                + ", bundle jit-nfp); its maps and queries keep working";
    }

    // ---- the query ----

    @Override
    public OffloadCheck check(OffloadCandidate c) {
        List<Refusal> reasons = new ArrayList<>();
        if (backend().isEmpty()) reasons.add(new Refusal(Refusal.Kind.NO_BACKEND, -1, noBackend()));
        if (!info.programTypes().contains(c.type())) {
            reasons.add(new Refusal(Refusal.Kind.PROGRAM_TYPE, -1, name + " runs xdp and sched_cls programs only, not " + c.type().kernelName()));
        }
        long[] insns = c.insns();
        for (int i = 0; i < insns.length; i++) {
            Set<Feature> f = Feature.required(insns[i]);
            if (f.contains(Feature.TAIL_CALL)) reasons.add(new Refusal(Refusal.Kind.INSTRUCTION, i, "insn " + i + ": tail calls: " + name + " has no prog array maps"));
            if (Insn.code(insns[i]) == 0x18) i++;
        }
        long needDram = 0;
        for (MapSpec m : c.maps()) {
            if (!info.mapTypes().contains(m.type())) {
                reasons.add(new Refusal(Refusal.Kind.DEVICE, -1, "map " + m.name() + " of type " + m.type() + " cannot live on " + name + " (array, hash and perf event array only)"));
            } else {
                needDram += NfpMap.footprint(m);
            }
        }
        if (needDram > dramStore.largest()) {
            reasons.add(new Refusal(Refusal.Kind.SIZE, -1, "maps need " + needDram + " bytes of DRAM; " + name + " has " + dramStore.largest() + " free in one block"));
        }
        return new OffloadCheck(name, reasons);
    }

    // ---- maps ----

    @Override
    public synchronized DeviceMap createMap(MapSpec spec) throws BpfException {
        NfpMap.check(name, spec);
        long bytes = NfpMap.footprint(spec);
        long at = dramStore.allocate(bytes, 8);
        if (at < 0) throw new BpfException(Errno.ENOMEM, name + ": no room in DRAM for map " + spec.name() + " (" + bytes + " bytes, " + dramStore.largest() + " free in one block)");
        int off = (int) (at - DRAM_BASE);
        java.util.Arrays.fill(dram, off, off + (int) bytes, (byte) 0);
        int id = nextMapId++;
        NfpMap m = switch (spec.type()) {
            case ARRAY -> new NfpMap.Array(this, spec, id, at);
            case PERF_EVENT_ARRAY -> new NfpMap.PerfEvents(this, spec, id, at);
            default -> new NfpMap.Hash(this, spec, id, at);
        };
        maps.put(id, m);
        return m;
    }

    NfpMap map(int tableId) {
        return maps.get(tableId);
    }

    synchronized void freeMap(NfpMap m) {
        if (maps.remove(m.id, m)) dramStore.release(m.address);
    }

    public long dramFree() {
        return dramStore.free();
    }

    // ---- programs ----

    /** Reserves code-store space for a static image of {@code bytes}; answers its byte address. */
    public synchronized long reserveCode(int bytes) throws BpfException {
        long at = codeStore.allocate((bytes + 7) / 8, 1);
        if (at < 0) throw new BpfException(Errno.ENOSPC, name + ": no room in the code store for " + bytes / 8 + " words (" + codeStore.largest() + " free in one block)");
        reserved.put(at, bytes);
        return 8 * at;
    }

    public long codeFreeWords() {
        return codeStore.free();
    }

    /** The symbol table for the host's link at {@code loadAddress} (static offload). */
    public SymbolTable symbols(long loadAddress, RelocatableImage image, List<? extends DeviceMap> used) {
        SymbolTable.Builder b = SymbolTable.at(loadAddress);
        for (Relocation r : image.relocations()) {
            Symbol s = r.symbol();
            switch (s.kind()) {
                case RUNTIME -> { if (NEXT_PACKET.equals(s.name())) b.bind(s, 8L * NEXT_PACKET_WORD); }
                case HELPER -> { if (NfpFirmware.HELPERS.contains(s.index())) b.bind(s, 8L * (FW_WORD + s.index())); }
                case MAP -> {
                    if (s.index() >= 0 && s.index() < used.size() && used.get(s.index()) instanceof NfpMap m) b.bind(s, m.id);
                }
                default -> { }
            }
        }
        return b.build();
    }

    @Override
    public NfpProgram load(DeviceImage image) throws BpfException {
        return switch (image) {
            case DeviceImage.Static s -> loadStatic(s.name(), ProgramType.XDP, s.image());
            case DeviceImage.Dynamic d -> loadDynamic(d);
        };
    }

    /** Static offload: the linked words go exactly where they were linked for. */
    public synchronized NfpProgram loadStatic(String progName, ProgramType type, LinkedImage li) throws BpfException {
        if (!ARCH.equals(li.arch())) throw new BpfException(Errno.EINVAL, name + ": image of " + progName + " is " + li.arch() + " code, not " + ARCH);
        checkType(progName, type);
        long at = li.loadAddress();
        byte[] code = li.code();
        if (at % 8 != 0 || code.length % 8 != 0) throw new BpfException(Errno.EINVAL, name + ": " + progName + " is not whole code-store words at a word address");
        long word = at / 8, words = code.length / 8;
        Integer r = reserved.remove(word);
        if (r == null && !codeStore.take(word, words)) {
            throw new BpfException(Errno.EBUSY, String.format("%s: %s is linked for code-store words %d..%d, which are not free (firmware from %d)",
                    name, progName, word, word + words, FW_WORD));
        }
        if (r != null && r < code.length) {
            codeStore.release(word);
            throw new BpfException(Errno.EINVAL, String.format("%s: %s has %d bytes, %d were reserved at word %d", name, progName, code.length, r, word));
        }
        return place(progName, type, (int) word, words(code), li.insnOffsets());
    }

    private void checkType(String progName, ProgramType type) throws OffloadException {
        if (!info.programTypes().contains(type)) {
            throw new OffloadException(name, List.of(new Refusal(Refusal.Kind.PROGRAM_TYPE, -1,
                    name + " runs xdp and sched_cls programs only, not " + type.kernelName() + " (" + progName + ")")));
        }
    }

    private NfpProgram place(String progName, ProgramType type, int word, long[] words, int[] insnOffsets) throws BpfException {
        try {
            me.load(word, words);
        } catch (IllegalArgumentException e) {
            codeStore.release(word);
            throw new BpfException(Errno.EINVAL, name + ": loading " + progName + ": " + e.getMessage(), e);
        }
        // the outro's exit entry: three words after the abort block that starts it
        int exitWord = word + insnOffsets[insnOffsets.length - 1] / 8 + 3;
        NfpProgram p = new NfpProgram(this, progName, type, word, words.length, exitWord);
        programs.put((long) word, p);
        return p;
    }

    /**
     * Dynamic offload, the device's loader: picks a base, binds each relocation the image's words
     * carry in their top byte (the kernel's {@code nfp_bpf_relo_for_vnic}) against its own
     * firmware and map table, adds the ECC and loads.
     */
    public synchronized NfpProgram loadDynamic(DeviceImage.Dynamic d) throws BpfException {
        RelocatableImage img = d.image();
        if (!ARCH.equals(img.arch())) throw new BpfException(Errno.EINVAL, name + ": image of " + d.name() + " is " + img.arch() + " code, not " + ARCH);
        checkType(d.name(), d.type());
        List<NfpMap> used = new ArrayList<>();
        for (int i = 0; i < d.maps().size(); i++) {
            DeviceMap m = d.maps().get(i);
            if (!(m instanceof NfpMap nm) || nm.device != this || nm.closed()) {
                throw new BpfException(Errno.EINVAL, name + ": " + d.name() + ": map " + i + " (" + m.spec().name() + ") is not a live map on this device");
            }
            used.add(nm);
        }
        if (img.code().length % 8 != 0) throw new BpfException(Errno.EINVAL, name + ": image of " + d.name() + " is not whole instruction words");
        long[] w = words(img.code());
        long base = codeStore.allocate(w.length, 1);
        if (base < 0) throw new BpfException(Errno.ENOSPC, name + ": no room in the code store for " + w.length + " words of " + d.name());
        List<String> problems = NfpLoader.relocate(w, (int) base, img.relocations(), used);
        if (!problems.isEmpty()) {
            codeStore.release(base);
            throw new BpfException(Errno.EINVAL, name + ": loading " + d.name() + ": " + String.join("; ", problems));
        }
        for (int i = 0; i < w.length; i++) w[i] |= Fields.ecc(w[i]);
        return place(d.name(), d.type(), (int) base, w, img.insnOffsets());
    }

    /** The kernel's translate offload op: compiles with the installed nfp back-end and loads by {@code flow}. */
    public NfpProgram translate(CompileRequest request, List<? extends DeviceMap> used, Flow flow) throws BpfException {
        JitBackend b = backend().orElseThrow(() -> new BpfException(Errno.ENODEV, noBackend()));
        OffloadCheck c = check(new OffloadCandidate(request.name(), request.type(), request.insns(), used.stream().map(DeviceMap::spec).toList()));
        if (!c.offloadable()) throw new OffloadException(name, c.reasons());
        RelocatableImage image;
        try {
            image = b.compile(request);
        } catch (JitException e) {
            throw new BpfException(Errno.EINVAL, name + ": " + e.getMessage(), e);
        }
        if (flow == Flow.DYNAMIC) return loadDynamic(new DeviceImage.Dynamic(request.name(), request.type(), image, List.copyOf(used)));
        long at = reserveCode(image.size());
        try {
            return loadStatic(request.name(), request.type(), b.link(image, symbols(at, image, used)));
        } catch (LinkException e) {
            unreserve(at);
            throw new BpfException(Errno.EINVAL, name + ": static link of " + request.name() + ": " + e.getMessage(), e);
        } catch (BpfException e) {
            unreserve(at);
            throw e;
        }
    }

    private synchronized void unreserve(long byteAddr) {
        if (reserved.remove(byteAddr / 8) != null) codeStore.release(byteAddr / 8);
    }

    synchronized void unload(NfpProgram p) {
        if (programs.remove((long) p.word, p)) {
            me.unload(p.word, p.words);
            codeStore.release(p.word);
        }
    }

    public List<NfpProgram> programs() {
        return List.copyOf(programs.values());
    }

    /** Frees every program and map: the device goes away. */
    protected void shutdown() {
        for (NfpProgram p : List.copyOf(programs.values())) p.close();
        for (NfpMap m : List.copyOf(maps.values())) m.close();
    }

    static long[] words(byte[] code) {
        long[] w = new long[code.length / 8];
        for (int i = 0; i < w.length; i++) {
            long v = 0;
            for (int k = 7; k >= 0; k--) v = v << 8 | (code[8 * i + k] & 0xff);
            w[i] = v;
        }
        return w;
    }

    @Override
    public String toString() {
        return "NFP " + name + " (1 microengine, " + FW_WORD + " code-store words for programs, " + dram.length / 1024 + " KiB DRAM)";
    }
}
