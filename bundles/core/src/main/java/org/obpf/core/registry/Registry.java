package org.obpf.core.registry;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.obpf.api.BpfException;
import org.obpf.api.Errno;
import org.obpf.api.helper.Helper;
import org.obpf.api.insn.Insn;
import org.obpf.api.insn.InsnKind;
import org.obpf.api.insn.Opcodes;
import org.obpf.api.jit.JitBackend;
import org.obpf.api.jit.NoSuchBackendException;
import org.obpf.api.map.BpfMap;
import org.obpf.api.map.MapSpec;
import org.obpf.api.map.MapType;
import org.obpf.api.obj.BpfObject;
import org.obpf.api.obj.MapDefinition;
import org.obpf.api.obj.ObjectLoader;
import org.obpf.api.obj.ProgramSpec;
import org.obpf.api.prog.ProgramType;
import org.obpf.api.prog.TestRun;
import org.obpf.api.registry.BpfSystem;
import org.obpf.api.registry.FeatureProbe;
import org.obpf.api.registry.JitedCode;
import org.obpf.api.registry.LoadOptions;
import org.obpf.api.registry.MapInfo;
import org.obpf.api.registry.PinnedObject;
import org.obpf.api.registry.ProgramInfo;
import org.obpf.api.registry.ProgramStage;
import org.obpf.api.registry.VerifyReport;
import org.obpf.api.jit.CompileOptions;
import org.obpf.api.jit.CompileRequest;
import org.obpf.api.jit.JitException;
import org.obpf.api.jit.Refusal;
import org.obpf.api.jit.RelocatableImage;
import org.obpf.api.offload.DeviceImage;
import org.obpf.api.offload.DeviceMap;
import org.obpf.api.offload.DeviceProgram;
import org.obpf.api.offload.OffloadCandidate;
import org.obpf.api.offload.OffloadDevice;
import org.obpf.api.offload.OffloadQuery;
import org.obpf.core.exec.HostJitEngine;
import org.obpf.core.offload.DeviceInsns;
import org.obpf.core.exec.JitExecution;
import org.obpf.core.helper.HelperRegistry;
import org.obpf.core.helper.HelperTable;
import org.obpf.core.helper.TraceBuffer;
import org.obpf.core.interp.ExecutionException;
import org.obpf.core.map.AbstractBpfMap;
import org.obpf.core.map.MapOfMaps;
import org.obpf.core.map.Maps;
import org.obpf.core.map.ProgArrayMap;
import org.obpf.core.prelink.Prelinked;
import org.obpf.core.prelink.Prelinker;
import org.obpf.core.run.ExecutionEngine;
import org.obpf.core.run.InterpreterExecution;
import org.obpf.core.run.TestRunner;
import org.obpf.core.verifier.Verifier;
import org.obpf.core.verifier.VerifierOptions;
import org.obpf.core.verifier.VerifierResult;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The program and map registry. A program is loaded as the kernel's {@code BPF_PROG_LOAD} does
 * it (maps created, verified, prelinked) and then put on an engine: a host JIT back-end or the
 * interpreter. Back-ends are tracked here as services (multiple, dynamic, greedy), so that their
 * departure moves programs at once:
 *
 * <ul>
 *   <li>a back-end leaves: each program on it moves to another back-end of the arch, else to the
 *       interpreter; only then is its code closed, and {@code ExecutableMemory}'s reference count
 *       keeps it mapped until the last run inside returns. A run that had picked the old code but
 *       not yet entered it finds it closed before running anything and is sent to the new engine;
 *   <li>a back-end arrives: programs that asked for its arch (or for {@code auto}) and wait on the
 *       interpreter are compiled for it, unless the component property {@code recompile} is false.
 * </ul>
 *
 * Maps belong to the registry: they live while a program uses them or a path pins them.
 *
 * <p>With {@link LoadOptions#device()} an object is bound to an offload device, as the kernel's
 * {@code prog_ifindex}/{@code map_ifindex}: its maps are created on the device too and host map
 * operations go through it, the device's and its back-end's reasons refuse the program, which is
 * prelinked without lookup inlining, compiled for the device and loaded by its own loader
 * (dynamic offload); {@code test_run} runs there. A device leaving orphans them for good.
 */
@Component(service = BpfSystem.class, immediate = true, configurationPid = "org.obpf.core.registry")
public final class Registry implements BpfSystem {
    private static final Logger LOG = LoggerFactory.getLogger(Registry.class);

    /** Component properties. */
    public @interface Config {
        /** Compile programs again when a back-end of their arch arrives. */
        boolean recompile() default true;
    }

    /** Flat programs are verified against this much memory at r1 (test_run gives them their data). */
    static final int FLAT_MEM_SIZE = 4096;

    private static final ExecutionEngine INTERP = new InterpreterExecution();

    /** An installed back-end; {@code execution} is null for back-ends whose code cannot run on this host. */
    private record Backend(JitBackend backend, String arch, long serviceId, int ranking, JitExecution execution,
                           Map<JitExecution.Compiled, Prog> compiled) {}

    private final HelperRegistry helpers;
    private final boolean recompile;
    private final Object lock = new Object();
    private final Map<Long, Backend> backends = new ConcurrentSkipListMap<>();
    private final Map<Integer, Prog> progs = new ConcurrentSkipListMap<>();
    private final Map<Integer, MapEntry> maps = new ConcurrentSkipListMap<>();
    private final Map<String, PinnedObject> pins = new ConcurrentSkipListMap<>();
    private final AtomicInteger nextProgId = new AtomicInteger(1);

    private volatile ObjectLoader loader;

    /** The ELF object loader (the loader bundle's service) arrives; also how tests without a framework give one. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "unbindLoader")
    public void bindLoader(ObjectLoader l) {
        loader = l;
    }

    void unbindLoader(ObjectLoader l) {
        if (loader == l) loader = null;
    }

    /** Offload devices by their {@code bpf.offload.dev} name. */
    private final Map<String, OffloadDevice> devices = new ConcurrentSkipListMap<>();
    private volatile OffloadQuery offloadQuery;

    /** The offload query (core's {@code OffloadRegistry}): the back-end's and the device's reasons to refuse. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "unbindOffloadQuery")
    public void bindOffloadQuery(OffloadQuery q) {
        offloadQuery = q;
    }

    void unbindOffloadQuery(OffloadQuery q) {
        if (offloadQuery == q) offloadQuery = null;
    }

    @Reference(service = OffloadDevice.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "removeDevice")
    /** An offload device arrives (also how tests without a framework give one). */
    public void addDevice(OffloadDevice device) {
        devices.putIfAbsent(device.name(), device);
    }

    /**
     * An offload device leaves: as the kernel's {@code bpf_offload_dev_netdev_unregister}, the
     * programs and maps bound to it are orphaned for good; a device of that name returning later
     * is another device and does not take them back.
     */
    public void removeDevice(OffloadDevice device) {
        synchronized (lock) {
            if (!devices.remove(device.name(), device)) return;
            String gone = gone(device.name());
            for (Prog p : progs.values()) {
                if (!device.name().equals(p.device) || p.deviceProgram == null) continue;
                p.current = new Prog.Current(device.name(), gone, (ctx, r2, regions) -> {
                    throw new BpfException(Errno.ENODEV, "prog " + p.id + ": " + gone);
                }, null, -1);
                p.deviceProgram = null; // its device memory went with the device
            }
            for (MapEntry e : maps.values()) if (e.device != null && device.name().equals(e.device.device)) e.device.gone = gone;
            LOG.info("offload device {} departed: its programs and maps are orphaned", device.name());
        }
    }

    private static String gone(String dev) {
        return "device " + dev + " gone (orphaned: stays gone if it returns)";
    }

    /** A map and what holds it. */
    private static final class MapEntry {
        final AbstractBpfMap map;
        /** The map's device copy, which host operations use, when it is bound to a device. */
        volatile DeviceBoundMap device;
        final Set<Integer> progs = new ConcurrentSkipListSet<>();
        final Set<String> pins = new ConcurrentSkipListSet<>();

        MapEntry(AbstractBpfMap map) {
            this.map = map;
        }

        MapInfo info() {
            return new MapInfo(map.id(), map.spec(), new ArrayList<>(progs), new ArrayList<>(pins));
        }

        BpfMap map() {
            return device != null ? device : map;
        }
    }

    @Activate
    public Registry(@Reference HelperRegistry helpers, Config config) {
        this.helpers = helpers;
        this.recompile = config == null || config.recompile();
    }

    /** Outside a framework (tests): the built-in helpers, recompiling on arrival. */
    public Registry() {
        this(new HelperRegistry(), null);
    }

    @Deactivate
    void deactivate() {
        synchronized (lock) {
            for (Prog p : progs.values()) {
                closeDeviceProgram(p);
                p.prelinked.release();
            }
            progs.clear();
            pins.clear();
            for (MapEntry e : maps.values()) release(e);
            maps.clear();
            for (Backend b : backends.values()) b.compiled().keySet().forEach(c -> c.program().close());
        }
    }

    // ------------------------------------------------------------------------------------------
    // back-ends

    @Reference(service = JitBackend.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, unbind = "removeBackend")
    void addBackend(JitBackend backend, Map<String, Object> props) {
        Object arch = props.get(JitBackend.ARCH);
        long serviceId = (Long) props.getOrDefault(Constants.SERVICE_ID, -1L);
        int ranking = props.get(Constants.SERVICE_RANKING) instanceof Integer r ? r : 0;
        if (arch instanceof String a) addBackend(backend, a, serviceId, ranking);
    }

    void removeBackend(JitBackend backend, Map<String, Object> props) {
        removeBackend((Long) props.getOrDefault(Constants.SERVICE_ID, -1L));
    }

    /** A back-end arrives: programs waiting on the interpreter for its arch are compiled for it. */
    public void addBackend(JitBackend backend, String arch, long serviceId, int ranking) {
        JitExecution exec = arch.equals(HostJitEngine.hostArch()) && arch.equals(backend.arch()) ? new JitExecution(backend) : null;
        Backend b = new Backend(backend, arch, serviceId, ranking, exec, Collections.synchronizedMap(new IdentityHashMap<>()));
        synchronized (lock) {
            backends.put(serviceId, b);
            if (!recompile || exec == null) return;
            int moved = 0;
            for (Prog p : progs.values()) {
                if (p.current.compiled() != null || p.interpreterOnly || !wants(p, arch)) continue;
                try {
                    p.current = compile(p, b, "jited");
                    moved++;
                } catch (BpfException e) {
                    p.current = new Prog.Current(INTERPRETER, "interpreted: " + arch + " refused it: " + e.getMessage(), p.interpreter, null, -1);
                }
            }
            if (moved > 0) LOG.info("back-end {} (service {}) arrived: {} program(s) compiled for it", arch, serviceId, moved);
        }
    }

    /** A back-end leaves: its programs move on, and its code is freed once no run is inside. */
    public void removeBackend(long serviceId) {
        synchronized (lock) {
            Backend gone = backends.remove(serviceId);
            if (gone == null) return;
            int moved = 0;
            for (Prog p : progs.values()) {
                Prog.Current c = p.current;
                if (c.serviceId() != serviceId) continue;
                Prog.Current next = null;
                Backend other = best(gone.arch()).orElse(null);
                if (other != null && other.execution() != null) {
                    try {
                        next = compile(p, other, "jited (moved from service " + serviceId + ")");
                    } catch (BpfException e) {
                        next = null;
                    }
                }
                if (next == null) {
                    next = new Prog.Current(INTERPRETER, "interpreted: back-end " + gone.arch() + " departed", p.interpreter, null, -1);
                }
                p.current = next; // new runs go there from now on
                moved++;
            }
            // Closing after the switch: runs inside finish, the pages go when the last one leaves.
            synchronized (gone.compiled()) {
                gone.compiled().keySet().forEach(c -> c.program().close());
                gone.compiled().clear();
            }
            if (moved > 0) LOG.info("back-end {} (service {}) departed: {} program(s) moved", gone.arch(), serviceId, moved);
        }
    }

    private static boolean wants(Prog p, String arch) {
        return p.requested.equals(AUTO) ? arch.equals(HostJitEngine.hostArch()) : p.requested.equals(arch);
    }

    /** The preferred back-end of an arch: highest ranking, then the oldest service. */
    private Optional<Backend> best(String arch) {
        Backend best = null;
        for (Backend b : backends.values()) {
            if (!b.arch().equals(arch)) continue;
            if (best == null || b.ranking() > best.ranking()) best = b;
        }
        return Optional.ofNullable(best);
    }

    private Prog.Current compile(Prog p, Backend b, String state) throws BpfException {
        JitExecution.Compiled c = prepare(b, p);
        p.compiles.incrementAndGet();
        return new Prog.Current(b.arch(), state, c, c, b.serviceId());
    }

    /** Compiles {@code p} for {@code b} (once: the engine caches it) and remembers whose code it is, to free it. */
    private JitExecution.Compiled prepare(Backend b, Prog p) throws BpfException {
        JitExecution.Compiled c;
        try {
            c = (JitExecution.Compiled) b.execution().prepare(p.prelinked);
        } catch (RuntimeException e) { // a back-end bug must not take the registry down
            throw new BpfException(Errno.EINVAL, "back-end " + b.arch() + " failed: " + e, e);
        }
        b.compiled().put(c, p);
        if (backends.get(b.serviceId()) != b) {
            // the back-end left while this compiled (a compare run racing a departure): its code must not outlive it
            b.compiled().remove(c);
            c.program().close();
            throw new BpfException(Errno.ENODEV, "back-end " + b.arch() + " departed");
        }
        return c;
    }

    @Override
    public List<String> engines() {
        List<String> out = new ArrayList<>();
        out.add(INTERPRETER);
        TreeSet<String> archs = new TreeSet<>();
        for (Backend b : backends.values()) if (b.execution() != null) archs.add(b.arch());
        out.addAll(archs);
        return out;
    }

    private TreeSet<String> archs() {
        TreeSet<String> archs = new TreeSet<>();
        for (Backend b : backends.values()) archs.add(b.arch());
        return archs;
    }

    // ------------------------------------------------------------------------------------------
    // loading

    @Override
    public List<ProgramInfo> loadObject(String fileName, byte[] elf, LoadOptions options) throws BpfException {
        return load(object(fileName, elf), options);
    }

    private BpfObject object(String fileName, byte[] elf) throws BpfException {
        ObjectLoader l = loader;
        if (l == null) throw new BpfException(Errno.EOPNOTSUPP, "the ELF object loader is not installed (feature:install obpf-loader)");
        return l.load(fileName, elf);
    }

    /** Loads the programs of an object already read. */
    public List<ProgramInfo> load(BpfObject obj, LoadOptions options) throws BpfException {
        List<ProgramSpec> specs = selected(obj, options.program());
        OffloadDevice dev = options.device() == null ? null : device(options.device());
        if (dev == null) checkEngine(options.engine());
        synchronized (lock) {
            List<AbstractBpfMap> created = new ArrayList<>();
            List<Prog> loaded = new ArrayList<>();
            Map<AbstractBpfMap, DeviceBoundMap> bound = dev == null ? null : new IdentityHashMap<>();
            try {
                for (MapDefinition d : obj.maps()) {
                    AbstractBpfMap m = createMap(d);
                    created.add(m);
                    if (m instanceof ProgArrayMap pa) pa.programs(id -> Optional.ofNullable(progs.get(id)).map(p -> (Object) p.interpreted).orElse(null));
                    if (d.kind().globalData() && d.initialValue().length > 0) m.update(new byte[4], d.initialValue(), BpfMap.BPF_ANY);
                }
                if (dev != null) bindMaps(dev, created, bound);
                boolean progArrays = obj.maps().stream().anyMatch(d -> d.spec().type() == MapType.PROG_ARRAY);
                List<MapSpec> mapSpecs = obj.maps().stream().map(MapDefinition::spec).toList();
                Prelinker.MapResolver resolver = indexResolver(created);
                for (ProgramSpec s : specs) {
                    ProgramType type = options.type() != null ? options.type() : s.type();
                    loaded.add(build(s.name(), type, obj.name(), s.insns(), mapSpecs, resolver, created, s.expectedAttachType(),
                            options, progArrays, dev, bound));
                }
                for (int i = 0; i < obj.maps().size(); i++) {
                    MapDefinition d = obj.maps().get(i);
                    if (!(created.get(i) instanceof ProgArrayMap pa)) continue;
                    for (var slot : d.initialSlots().entrySet()) {
                        loaded.stream().filter(p -> p.name.equals(slot.getValue())).findFirst().ifPresent(p -> pa.set(slot.getKey(), p.interpreted));
                    }
                }
                fillMapSlots(obj, created);
            } catch (BpfException | RuntimeException e) {
                loaded.forEach(this::drop);
                created.forEach(AbstractBpfMap::release);
                if (bound != null) bound.values().forEach(DeviceBoundMap::close);
                throw e;
            }
            // Maps the programs do not use are not kept (nothing would hold them), as in the kernel.
            for (AbstractBpfMap m : created) {
                MapEntry e = new MapEntry(m);
                if (bound != null) e.device = bound.get(m);
                for (Prog p : loaded) if (p.mapIds.contains(m.id())) e.progs.add(p.id);
                if (e.progs.isEmpty()) release(e);
                else maps.put(m.id(), e);
            }
            List<ProgramInfo> out = new ArrayList<>();
            for (Prog p : loaded) {
                progs.put(p.id, p);
                out.add(p.info());
                LOG.info("prog {} {} ({}) loaded from {}: {}", p.id, p.name, p.type.kernelName(), obj.name(), p.current.state());
            }
            return out;
        }
    }

    private static List<ProgramSpec> selected(BpfObject obj, String program) throws BpfException {
        if (obj.programs().isEmpty()) throw new BpfException(Errno.EINVAL, obj.name() + " has no programs");
        if (program == null) return obj.programs();
        return List.of(obj.program(program).orElseThrow(() -> new BpfException(Errno.ENOENT, obj.name() + " has no program '" + program
                + "' (programs: " + String.join(", ", obj.programs().stream().map(ProgramSpec::name).toList()) + ")")));
    }

    private void checkEngine(String engine) throws BpfException {
        if (engine.equals(AUTO) || engine.equals(INTERPRETER)) return;
        String host = HostJitEngine.hostArch();
        if (!engine.equals(host)) {
            if (archs().contains(engine)) {
                throw new BpfException(Errno.EINVAL, "back-end " + engine + " generates code for another machine; programs run here on "
                        + INTERPRETER + " or " + host);
            }
            throw new BpfException(Errno.ENODEV, new NoSuchBackendException(engine, archs()).getMessage());
        }
        if (best(engine).isEmpty()) throw new BpfException(Errno.ENODEV, new NoSuchBackendException(engine, archs()).getMessage());
    }

    @Override
    public ProgramInfo loadRaw(String name, ProgramType type, long[] insns, List<Integer> mapIds, LoadOptions options) throws BpfException {
        if (options.device() != null) {
            throw new BpfException(Errno.EINVAL, "offload to " + options.device() + " takes an object: its maps are created on the device at load");
        }
        checkEngine(options.engine());
        synchronized (lock) {
            List<AbstractBpfMap> used = new ArrayList<>();
            for (int id : mapIds) used.add(entry(id).map);
            List<MapSpec> specs = used.stream().map(AbstractBpfMap::spec).toList();
            Prog p = build(name, type, "", insns, specs, indexResolver(used), used, Optional.empty(), options, false, null, null);
            progs.put(p.id, p);
            for (int id : p.mapIds) maps.get(id).progs.add(p.id);
            LOG.info("prog {} {} ({}) loaded: {}", p.id, p.name, p.type.kernelName(), p.current.state());
            return p.info();
        }
    }

    /** A map of the object; a map-in-map with a template of its inner map definition, as libbpf creates it. */
    private static AbstractBpfMap createMap(MapDefinition d) throws BpfException {
        if (d.innerMap().isEmpty()) return Maps.create(d.spec());
        AbstractBpfMap template = Maps.create(d.innerMap().get().spec());
        try {
            return Maps.create(d.spec(), org.obpf.core.map.Cpus.possible(), template);
        } finally {
            template.release();
        }
    }

    /** Map-in-map slots set by their definitions ({@code .values = { [0] = &inner }}): the object's maps by name. */
    private static void fillMapSlots(BpfObject obj, List<AbstractBpfMap> created) throws BpfException {
        for (int i = 0; i < obj.maps().size(); i++) {
            if (!(created.get(i) instanceof MapOfMaps outer)) continue;
            for (var slot : obj.maps().get(i).initialSlots().entrySet()) {
                int k = 0;
                while (k < obj.maps().size() && !obj.maps().get(k).name().equals(slot.getValue())) k++;
                if (k == obj.maps().size()) throw new BpfException(Errno.EINVAL, "map " + obj.maps().get(i).name() + ": slot " + slot.getKey() + " names no map '" + slot.getValue() + "'");
                int key = slot.getKey();
                outer.set(new byte[] {(byte) key, (byte) (key >> 8), (byte) (key >> 16), (byte) (key >> 24)}, created.get(k), BpfMap.BPF_ANY);
            }
        }
    }

    /** The inner map templates of the map-in-maps among {@code list}, by index. */
    private static Map<Integer, MapSpec> innerMaps(List<AbstractBpfMap> list) {
        Map<Integer, MapSpec> out = new HashMap<>();
        for (int i = 0; i < list.size(); i++) if (list.get(i) instanceof MapOfMaps mm) out.put(i, mm.template());
        return out;
    }

    /** lddw src 1/2 (fd) and 5/6 (index) both name the K-th of {@code list}. */
    private static Prelinker.MapResolver indexResolver(List<AbstractBpfMap> list) {
        return new Prelinker.MapResolver() {
            @Override
            public AbstractBpfMap byFd(int k) throws BpfException {
                return byIndex(k);
            }

            @Override
            public AbstractBpfMap byIndex(int k) throws BpfException {
                if (k < 0 || k >= list.size()) throw new BpfException(Errno.EBADF, "map #" + k + ": the program has " + list.size() + " map(s)");
                return list.get(k);
            }
        };
    }

    private Prog build(String name, ProgramType type, String object, long[] insns, List<MapSpec> specs, Prelinker.MapResolver resolver,
                       List<AbstractBpfMap> candidates, Optional<org.obpf.api.obj.AttachType> attach, LoadOptions options,
                       boolean progArrays, OffloadDevice dev, Map<AbstractBpfMap, DeviceBoundMap> bound) throws BpfException {
        VerifierResult v = verify(type, insns, specs, innerMaps(candidates), options.logLevel());
        if (!v.accepted()) {
            throw new BpfException(v.processed() == 0 ? Errno.EINVAL : Errno.EACCES, "prog " + name + " rejected by the verifier: insn "
                    + v.errorInsn() + ": " + firstLine(v.error()));
        }
        HelperTable table = helpers.table(type);
        // An offloaded program keeps its map lookups as calls: map_gen_lookup would inline host addresses.
        Prelinker.Options po = new Prelinker.Options(dev == null).withExpectedAttachType(attach);
        Prelinked pl = Prelinker.prelink(insns, type, resolver, table, po);
        if (dev != null) {
            try {
                List<Integer> ids = new ArrayList<>();
                for (AbstractBpfMap m : pl.maps()) if (!ids.contains(m.id())) ids.add(m.id());
                Prog p = new Prog(nextProgId.getAndIncrement(), name, type, tag(insns), object, options.engine(), pl, pl.toInterpreter(),
                        INTERP.prepare(pl), ids, v.processed(), progArrays);
                p.device = dev.name();
                p.deviceProgram = offload(dev, name, type, pl, bound);
                p.compiles.incrementAndGet();
                p.current = new Prog.Current(dev.name(), "offloaded to " + dev.name() + " (dynamic)", (ctx, r2, regions) -> {
                    throw new BpfException(Errno.EOPNOTSUPP, "prog " + p.id + " runs on device " + dev.name() + ": packets only");
                }, null, -1);
                return p;
            } catch (BpfException | RuntimeException e) {
                pl.release();
                throw e;
            }
        }
        try {
            List<Integer> ids = new ArrayList<>();
            for (AbstractBpfMap m : pl.maps()) if (!ids.contains(m.id())) ids.add(m.id());
            Prog p = new Prog(nextProgId.getAndIncrement(), name, type, tag(insns), object, options.engine(), pl, pl.toInterpreter(),
                    INTERP.prepare(pl), ids, v.processed(), progArrays);
            p.current = initial(p, options.engine());
            return p;
        } catch (BpfException | RuntimeException e) {
            pl.release();
            throw e;
        }
    }

    private OffloadDevice device(String name) throws BpfException {
        OffloadDevice d = devices.get(name);
        if (d == null) {
            throw new BpfException(Errno.ENODEV, "no offload device '" + name + "' (devices: "
                    + (devices.isEmpty() ? "none" : String.join(", ", devices.keySet())) + ")");
        }
        return d;
    }

    /** The object's maps on the device too (the kernel's map_ifindex), with their initial contents. */
    private static void bindMaps(OffloadDevice dev, List<AbstractBpfMap> created, Map<AbstractBpfMap, DeviceBoundMap> bound)
            throws BpfException {
        for (AbstractBpfMap m : created) {
            DeviceBoundMap b = new DeviceBoundMap(m, dev.name(), dev.createMap(m.spec()));
            bound.put(m, b);
            byte[] k = null;
            for (;;) {
                try {
                    k = m.nextKey(k);
                } catch (BpfException e) {
                    if (e.errno() == Errno.ENOENT) break;
                    throw e;
                }
                b.device().update(k, m.lookup(k), BpfMap.BPF_ANY);
            }
        }
    }

    /**
     * The kernel's offload verifier hook and translate op: every reason the device (and its
     * back-end) gives refuses the program; else it is compiled for the device and loaded by the
     * device's own loader (dynamic offload) against its maps.
     */
    private DeviceProgram offload(OffloadDevice dev, String name, ProgramType type, Prelinked pl,
                                  Map<AbstractBpfMap, DeviceBoundMap> bound) throws BpfException {
        long[] devInsns = DeviceInsns.of(pl);
        List<DeviceMap> used = new ArrayList<>();
        for (AbstractBpfMap m : pl.maps()) used.add(bound.get(m).device());
        OffloadCandidate c = new OffloadCandidate(name, type, devInsns, used.stream().map(DeviceMap::spec).toList());
        OffloadQuery q = offloadQuery;
        List<Refusal> reasons = new ArrayList<>(q != null ? q.check(dev.name(), c).reasons() : dev.check(c).reasons());
        if (q == null && !dev.info().programTypes().contains(type)) {
            reasons.add(new Refusal(Refusal.Kind.PROGRAM_TYPE, -1, "device " + dev.name() + " does not run " + type.kernelName() + " programs"));
        }
        Backend b = best(dev.arch()).orElse(null);
        if (b == null && reasons.stream().noneMatch(r -> r.kind() == Refusal.Kind.NO_BACKEND)) {
            reasons.add(new Refusal(Refusal.Kind.NO_BACKEND, -1, "device " + dev.name() + " runs " + dev.arch() + " code but no "
                    + dev.arch() + " back-end is installed"));
        }
        if (!reasons.isEmpty()) {
            throw new BpfException(Errno.EINVAL, "prog " + name + " cannot be offloaded to " + dev.name() + ": "
                    + String.join("; ", reasons.stream().map(Refusal::detail).toList()));
        }
        RelocatableImage image;
        try {
            image = b.backend().compile(new CompileRequest(name, type, devInsns, pl.subprogs(), null, false,
                    CompileOptions.DEFAULT.withExtensions(dev.info().jitExtensions())));
        } catch (JitException e) {
            throw new BpfException(Errno.EINVAL, "prog " + name + " on " + dev.name() + ": " + firstLine(e.getMessage()), e);
        }
        return dev.load(new DeviceImage.Dynamic(name, type, image, used));
    }

    private Prog.Current initial(Prog p, String engine) throws BpfException {
        Prog.Current interp = new Prog.Current(INTERPRETER, "interpreted", p.interpreter, null, -1);
        if (engine.equals(INTERPRETER)) return interp;
        if (p.interpreterOnly) {
            if (!engine.equals(AUTO)) throw new BpfException(Errno.ENOTSUPP, "prog " + p.name + ": programs with tail calls through prog arrays run on the interpreter only");
            return new Prog.Current(INTERPRETER, "interpreted: tail calls through prog arrays run on the interpreter", p.interpreter, null, -1);
        }
        Backend b = best(engine.equals(AUTO) ? HostJitEngine.hostArch() : engine).orElse(null);
        if (b == null || b.execution() == null) {
            return new Prog.Current(INTERPRETER, "interpreted: no " + HostJitEngine.hostArch() + " back-end installed", p.interpreter, null, -1);
        }
        try {
            return compile(p, b, "jited");
        } catch (BpfException e) {
            if (!engine.equals(AUTO)) throw new BpfException(e.errno(), "prog " + p.name + " on " + engine + ": " + e.getMessage(), e);
            return new Prog.Current(INTERPRETER, "interpreted: " + b.arch() + " refused it: " + firstLine(e.getMessage()), p.interpreter, null, -1);
        }
    }

    private static VerifierResult verify(ProgramType type, long[] insns, List<MapSpec> specs, int logLevel) {
        return verify(type, insns, specs, Map.of(), logLevel);
    }

    private static VerifierResult verify(ProgramType type, long[] insns, List<MapSpec> specs, Map<Integer, MapSpec> inner, int logLevel) {
        VerifierOptions o = VerifierOptions.of(type, specs).withLogLevel(logLevel).withInnerMaps(inner);
        if (type == ProgramType.FLAT) o = o.withFlatMemSize(FLAT_MEM_SIZE);
        return Verifier.verify(insns, o);
    }

    private static String firstLine(String s) {
        if (s == null) return "";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** First 8 bytes of the SHA-1 of the instructions as loaded (little-endian slots), in hex. */
    static String tag(long[] insns) {
        ByteBuffer b = ByteBuffer.allocate(insns.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long w : insns) b.putLong(w);
        try {
            byte[] d = MessageDigest.getInstance("SHA-1").digest(b.array());
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------------------------------
    // programs

    private Prog prog(int id) throws BpfException {
        Prog p = progs.get(id);
        if (p == null) throw new BpfException(Errno.ENOENT, "no program with id " + id);
        return p;
    }

    @Override
    public List<ProgramInfo> programs() {
        return progs.values().stream().map(Prog::info).toList();
    }

    @Override
    public ProgramInfo program(int id) throws BpfException {
        return prog(id).info();
    }

    @Override
    public void unload(int id) throws BpfException {
        synchronized (lock) {
            Prog p = prog(id);
            if (!p.pins.isEmpty()) throw new BpfException(Errno.EBUSY, "prog " + id + " is pinned at " + String.join(", ", p.pins) + "; unpin it first");
            progs.remove(id);
            drop(p);
            for (int m : p.mapIds) {
                MapEntry e = maps.get(m);
                if (e == null) continue;
                e.progs.remove(id);
                releaseIfUnheld(e);
            }
            LOG.info("prog {} {} unloaded", id, p.name);
        }
    }

    /** Frees a program's code (once runs leave it) and its references on maps. */
    private void drop(Prog p) {
        closeDeviceProgram(p);
        Prog.Current c = p.current;
        p.current = new Prog.Current(INTERPRETER, "unloaded", (ctx, r2, regions) -> {
            throw new BpfException(Errno.ENOENT, "prog " + p.id + " is unloaded");
        }, null, -1);
        if (c != null && c.compiled() != null) c.compiled().program().close();
        for (Backend b : backends.values()) {
            synchronized (b.compiled()) {
                b.compiled().entrySet().removeIf(x -> {
                    if (x.getValue() != p) return false;
                    x.getKey().program().close();
                    return true;
                });
            }
        }
        p.drop();
    }

    private void releaseIfUnheld(MapEntry e) {
        if (e.progs.isEmpty() && e.pins.isEmpty() && maps.remove(e.map.id(), e)) release(e);
    }

    private static void release(MapEntry e) {
        e.map.release();
        if (e.device != null) e.device.close();
    }

    private static void closeDeviceProgram(Prog p) {
        var dp = p.deviceProgram;
        p.deviceProgram = null;
        if (dp == null) return;
        try {
            dp.close();
        } catch (RuntimeException ex) { // a device bug must not take the registry down
            LOG.warn("prog {}: closing it on device {} failed: {}", p.id, p.device, ex.toString());
        }
    }

    @Override
    public List<ProgramStage> xlated(int id) throws BpfException {
        return prog(id).prelinked.stages().stream().map(s -> new ProgramStage(s.name(), s.insns())).toList();
    }

    @Override
    public JitedCode jited(int id) throws BpfException {
        Prog p = prog(id);
        Prog.Current c = p.current;
        if (c.compiled() == null) throw new BpfException(Errno.EINVAL, "prog " + id + " is not JIT-compiled (" + c.state() + ")");
        var jp = c.compiled().program();
        return new JitedCode(c.engine(), jp.linked().loadAddress(), jp.image(), jp.linked().code());
    }

    @Override
    public TestRun.Result testRun(int id, TestRun.Request request) throws BpfException {
        Prog p = prog(id);
        if (p.device != null) return deviceRun(p, request);
        return run(p, fixed((ctx, r2, regions) -> runOnce(p, ctx, r2, regions)), request);
    }

    /** A test run inside the program's lifetime: an unload meanwhile keeps its maps until the run is over. */
    private static TestRun.Result run(Prog p, ExecutionEngine engine, TestRun.Request request) throws BpfException {
        if (!p.enter()) throw new BpfException(Errno.ENOENT, "prog " + p.id + " is unloaded");
        try {
            return new TestRunner(engine).run(p.prelinked, request);
        } finally {
            p.leave();
        }
    }

    /**
     * One run on whatever engine the program is on at this instant. If the code it picked was
     * closed (its back-end left) before the run entered it, nothing ran: it goes again on the
     * engine that replaced it.
     */
    private static long runOnce(Prog p, long ctx, long r2, List<ExecutionEngine.Region> regions) throws BpfException {
        for (;;) {
            Prog.Current c = p.current;
            try {
                long r0 = c.exe().run(ctx, r2, regions);
                p.runs.incrementAndGet();
                return r0;
            } catch (ExecutionException e) {
                // JitProgram refuses entry into closed code with ENOENT at insn -1, before running anything.
                if (c.compiled() != null && e.errno() == Errno.ENOENT && e.insnIndex() < 0 && p.current != c) continue;
                throw e;
            }
        }
    }

    private static ExecutionEngine fixed(ExecutionEngine.Executable exe) {
        return new ExecutionEngine() {
            @Override
            public String name() {
                return "registry";
            }

            @Override
            public Executable prepare(Prelinked program) {
                return exe;
            }
        };
    }

    @Override
    public TestRun.Result testRun(int id, String engine, TestRun.Request request) throws BpfException {
        Prog p = prog(id);
        if (p.device != null) {
            if (engine.equals(p.device)) return deviceRun(p, request);
            throw new BpfException(Errno.EINVAL, "prog " + id + " is offloaded to " + p.device + " and runs there only");
        }
        if (engine.equals(p.current.engine()) && p.current.compiled() != null || engine.equals(INTERPRETER) && p.current.compiled() == null) {
            return testRun(id, request);
        }
        if (engine.equals(INTERPRETER)) return run(p, fixed(p.interpreter), request);
        if (p.interpreterOnly) throw new BpfException(Errno.ENOTSUPP, "prog " + id + ": programs with tail calls through prog arrays run on the interpreter only");
        Backend b = runnable(engine);
        JitExecution.Compiled c = prepare(b, p);
        return run(p, fixed(c), request);
    }

    /** {@code BPF_PROG_TEST_RUN} of an offloaded program: on its device, with the packet copied over. */
    private static TestRun.Result deviceRun(Prog p, TestRun.Request request) throws BpfException {
        if (!p.enter()) throw new BpfException(Errno.ENOENT, "prog " + p.id + " is unloaded");
        try {
            DeviceProgram dp = p.deviceProgram;
            if (dp == null) throw new BpfException(Errno.ENODEV, "prog " + p.id + ": " + p.current.state());
            DeviceProgram.DeviceRun r = dp.testRun(request.dataIn(), Math.max(1, request.repeat()));
            p.runs.addAndGet(Math.max(1, request.repeat()));
            byte[] out = r.packet();
            Errno error = null;
            int copy = Math.min(out.length, request.dataSizeOut());
            if (copy < out.length) error = Errno.ENOSPC;
            return new TestRun.Result(r.retval(), java.util.Arrays.copyOf(out, copy), out.length, null, r.durationNanos(), error);
        } finally {
            p.leave();
        }
    }

    private Backend runnable(String engine) throws BpfException {
        Backend b = best(engine).orElse(null);
        if (b == null) throw new BpfException(Errno.ENODEV, new NoSuchBackendException(engine, archs()).getMessage());
        if (b.execution() == null) throw new BpfException(Errno.EINVAL, "back-end " + engine + " generates code for another machine");
        return b;
    }

    @Override
    public int codeSize(int id, String engine) throws BpfException {
        Prog p = prog(id);
        if (engine.equals(INTERPRETER)) return 0;
        Prog.Current c = p.current;
        if (engine.equals(c.engine()) && c.compiled() != null) return c.compiled().program().linked().size();
        if (p.interpreterOnly) throw new BpfException(Errno.ENOTSUPP, "prog " + id + ": programs with tail calls through prog arrays run on the interpreter only");
        return prepare(runnable(engine), p).program().linked().size();
    }

    // ------------------------------------------------------------------------------------------
    // maps and pins

    private MapEntry entry(int id) throws BpfException {
        MapEntry e = maps.get(id);
        if (e == null) throw new BpfException(Errno.ENOENT, "no map with id " + id);
        return e;
    }

    @Override
    public MapInfo createMap(MapSpec spec, String path) throws BpfException {
        checkPath(path);
        synchronized (lock) {
            if (pins.containsKey(path)) throw new BpfException(Errno.EEXIST, path + " is already pinned");
            AbstractBpfMap m = Maps.create(spec);
            if (m instanceof ProgArrayMap pa) pa.programs(id -> Optional.ofNullable(progs.get(id)).map(p -> (Object) p.interpreted).orElse(null));
            MapEntry e = new MapEntry(m);
            e.pins.add(path);
            maps.put(m.id(), e);
            pins.put(path, new PinnedObject(path, "map", m.id()));
            return e.info();
        }
    }

    @Override
    public List<MapInfo> maps() {
        return maps.values().stream().map(MapEntry::info).toList();
    }

    @Override
    public MapInfo mapInfo(int id) throws BpfException {
        return entry(id).info();
    }

    @Override
    public BpfMap map(int id) throws BpfException {
        return entry(id).map();
    }

    private static void checkPath(String path) throws BpfException {
        if (path == null || !path.startsWith("/") || path.length() < 2 || path.endsWith("/")) {
            throw new BpfException(Errno.EINVAL, "pin path '" + path + "' must be an absolute file path, e.g. /sys/fs/bpf/name");
        }
    }

    @Override
    public void pinProgram(int id, String path) throws BpfException {
        checkPath(path);
        synchronized (lock) {
            Prog p = prog(id);
            if (pins.containsKey(path)) throw new BpfException(Errno.EEXIST, path + " is already pinned");
            p.pins.add(path);
            pins.put(path, new PinnedObject(path, "prog", id));
        }
    }

    @Override
    public void pinMap(int id, String path) throws BpfException {
        checkPath(path);
        synchronized (lock) {
            MapEntry e = entry(id);
            if (pins.containsKey(path)) throw new BpfException(Errno.EEXIST, path + " is already pinned");
            e.pins.add(path);
            pins.put(path, new PinnedObject(path, "map", id));
        }
    }

    @Override
    public void unpin(String path) throws BpfException {
        synchronized (lock) {
            PinnedObject o = pinned(path);
            pins.remove(path);
            if (o.kind().equals("prog")) {
                Prog p = progs.get(o.id());
                if (p != null) p.pins.remove(path);
            } else {
                MapEntry e = maps.get(o.id());
                if (e != null) {
                    e.pins.remove(path);
                    releaseIfUnheld(e);
                }
            }
        }
    }

    @Override
    public PinnedObject pinned(String path) throws BpfException {
        PinnedObject o = pins.get(path);
        if (o == null) throw new BpfException(Errno.ENOENT, "nothing is pinned at " + path);
        return o;
    }

    @Override
    public List<PinnedObject> pins() {
        return new ArrayList<>(pins.values());
    }

    // ------------------------------------------------------------------------------------------
    // verifier, trace, probes

    @Override
    public List<VerifyReport> verifyObject(String fileName, byte[] elf, String program, ProgramType type, int logLevel) throws BpfException {
        checkLevel(logLevel);
        BpfObject obj = object(fileName, elf);
        List<MapSpec> specs = obj.maps().stream().map(MapDefinition::spec).toList();
        Map<Integer, MapSpec> inner = new HashMap<>();
        for (int i = 0; i < obj.maps().size(); i++) {
            int k = i;
            obj.maps().get(i).innerMap().ifPresent(d -> inner.put(k, d.spec()));
        }
        List<VerifyReport> out = new ArrayList<>();
        for (ProgramSpec s : selected(obj, program)) {
            out.add(report(s.name(), verify(type != null ? type : s.type(), s.insns(), specs, inner, logLevel)));
        }
        return out;
    }

    @Override
    public VerifyReport verifyRaw(String name, ProgramType type, long[] insns, List<Integer> mapIds, int logLevel) throws BpfException {
        checkLevel(logLevel);
        List<AbstractBpfMap> used = new ArrayList<>();
        for (int id : mapIds) used.add(entry(id).map);
        return report(name, verify(type, insns, used.stream().map(AbstractBpfMap::spec).toList(), innerMaps(used), logLevel));
    }

    private static void checkLevel(int level) throws BpfException {
        if (level < 0 || level > 2) throw new BpfException(Errno.EINVAL, "log level must be 0, 1 or 2, not " + level);
    }

    private static VerifyReport report(String name, VerifierResult v) {
        return new VerifyReport(name, v.accepted(), v.error(), v.errorInsn(), v.log(), v.processed(), v.totalStates(), v.peakStates(), v.nanos());
    }

    @Override
    public List<String> trace(boolean consume) {
        return consume ? TraceBuffer.drain() : TraceBuffer.lines();
    }

    /** {@code r0 = 0; exit}: what bpftool loads to probe a program type. */
    private static final long[] TRIVIAL = {Insn.encode(Opcodes.BPF_ALU64 | Opcodes.BPF_MOV | Opcodes.BPF_K, 0, 0, 0, 0),
            Insn.encode(Opcodes.BPF_JMP | Opcodes.BPF_EXIT, 0, 0, 0, 0)};

    @Override
    public FeatureProbe probe() {
        List<FeatureProbe.ProgramTypeSupport> types = new ArrayList<>();
        for (ProgramType t : ProgramType.values()) {
            if (t == ProgramType.UNSPEC) continue;
            boolean loads = verify(t, TRIVIAL, List.of(), 0).accepted();
            boolean run = false;
            if (loads) {
                try {
                    Prelinked p = Prelinker.prelink(TRIVIAL, t, indexResolver(List.of()), helpers.table(t), Prelinker.Options.DEFAULT);
                    try {
                        new TestRunner(INTERP).run(p, TestRun.Request.of(new byte[64]));
                        run = true;
                    } catch (BpfException e) {
                        run = e.errno() != Errno.ENOTSUPP;
                    } finally {
                        p.release();
                    }
                } catch (BpfException e) {
                    loads = false;
                }
            }
            types.add(new FeatureProbe.ProgramTypeSupport(t, loads, run));
        }
        List<FeatureProbe.MapTypeSupport> mapTypes = new ArrayList<>();
        for (MapType t : MapType.values()) {
            if (t == MapType.UNSPEC) continue;
            try {
                if (t == MapType.ARRAY_OF_MAPS || t == MapType.HASH_OF_MAPS) {
                    // bpftool's probe gives map-in-maps an array as inner map
                    AbstractBpfMap inner = Maps.create(new MapSpec("probe_inner", MapType.ARRAY, 4, 4, 1, 0));
                    try {
                        Maps.create(probeSpec(t), org.obpf.core.map.Cpus.possible(), inner).release();
                    } finally {
                        inner.release();
                    }
                } else {
                    Maps.create(probeSpec(t)).release();
                }
                mapTypes.add(new FeatureProbe.MapTypeSupport(t, true, ""));
            } catch (BpfException | RuntimeException e) {
                mapTypes.add(new FeatureProbe.MapTypeSupport(t, false, e.getMessage()));
            }
        }
        SortedMap<Integer, String> all = new TreeMap<>();
        for (ProgramType t : ProgramType.values()) {
            HelperTable table = helpers.table(t);
            for (int id : table.ids()) table.lookup(id).map(Helper::name).ifPresent(n -> all.put(id, n));
        }
        SortedMap<String, SortedMap<Integer, String>> perEngine = new TreeMap<>();
        perEngine.put(INTERPRETER, all);
        for (String arch : archs()) {
            var caps = best(arch).orElseThrow().backend().capabilities();
            SortedMap<Integer, String> h = new TreeMap<>();
            all.forEach((id, n) -> {
                if (caps.supportsHelper(id)) h.put(id, n);
            });
            perEngine.put(arch, h);
        }
        return new FeatureProbe(types, mapTypes, perEngine);
    }

    /** The smallest map of a type that its checks accept, as bpftool's probes create them. */
    private static MapSpec probeSpec(MapType t) {
        return switch (t) {
            case RINGBUF, USER_RINGBUF -> new MapSpec("probe", t, 0, 0, 4096, 0);
            case QUEUE, STACK, BLOOM_FILTER -> new MapSpec("probe", t, 0, 4, 1, 0);
            case LPM_TRIE -> new MapSpec("probe", t, 8, 8, 1, 1); // BPF_F_NO_PREALLOC
            case PROG_ARRAY, PERF_EVENT_ARRAY, DEVMAP, DEVMAP_HASH, CPUMAP, XSKMAP, SOCKMAP, SOCKHASH, CGROUP_ARRAY,
                 ARRAY_OF_MAPS, HASH_OF_MAPS, REUSEPORT_SOCKARRAY -> new MapSpec("probe", t, 4, 4, 1, 0);
            default -> new MapSpec("probe", t, 4, 8, 1, 0);
        };
    }

    /** For tests: the state of program {@code id}'s engine. */
    String engineOf(int id) throws BpfException {
        return prog(id).current.engine();
    }
}
