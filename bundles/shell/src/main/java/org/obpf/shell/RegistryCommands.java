package org.obpf.shell;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.obpf.api.BpfException;
import org.obpf.api.jit.code.MachineDisassembler;
import org.obpf.api.map.BpfMap;
import org.obpf.api.map.MapSpec;
import org.obpf.api.map.MapType;
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
import org.obpf.api.text.Disassembler;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The {@code bpf} commands on programs and maps, in bpftool's words: {@code prog}, {@code map},
 * {@code verify}, {@code trace}, {@code feature}, {@code compare}. They reach core through
 * {@link BpfSystem} only; like every {@code bpf} command they answer with a table (or
 * {@code --json}) and refuse bad input with one line.
 */
@Component(service = RegistryCommands.class)
@GogoCommand(scope = "bpf", function = {"prog", "map", "verify", "trace", "feature", "compare"})
public final class RegistryCommands {
    private static final Set<String> JSON = Set.of("--json");

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile BpfSystem system;

    private final List<MachineDisassembler> disassemblers = new CopyOnWriteArrayList<>();

    @Reference(service = MachineDisassembler.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            unbind = "removeDisassembler")
    void addDisassembler(MachineDisassembler d) {
        disassemblers.add(d);
    }

    void removeDisassembler(MachineDisassembler d) {
        disassemblers.remove(d);
    }

    /** A call into core whose {@link BpfException} becomes the command's one-line refusal. */
    interface Call<T> {
        T call(BpfSystem s) throws BpfException;
    }

    private <T> T core(Words w, Call<T> c) {
        BpfSystem s = system;
        if (s == null) throw w.fail("the OBPF core is not running (feature:install obpf-core)");
        try {
            return c.call(s);
        } catch (BpfException e) {
            throw w.fail(e.getMessage());
        } catch (IllegalArgumentException e) {
            throw w.fail(e.getMessage());
        }
    }

    // ------------------------------------------------------------------------------------------
    // prog

    @Descriptor("""
            Programs: \
            'prog load FILE [name NAME] [type TYPE] [engine auto|interp|ARCH] [map ID]... [dev DEVICE [flow dynamic]]' (an ELF \
            object .o, or raw bytecode: .s, hex text or binary, which needs a type; lddw map K names the K-th 'map ID'; \
            dev binds the programs and their maps to an offload device), \
            'prog list', 'prog show PROG', \
            'prog dump xlated PROG [stage NAME|all]', 'prog dump jited PROG', \
            'prog run PROG [data_in HEX|FILE] [ctx_in HEX|FILE] [data_size_out N] [ctx_size_out N] [repeat N] [engine E]', \
            'prog unload PROG', 'prog pin PROG PATH', 'prog unpin PATH'. \
            PROG is ID, 'id ID', 'pinned PATH' or 'name NAME'. Add --json for JSON.""")
    public String prog(CommandSession session, @Descriptor("load|list|show|dump|run|unload|pin|unpin ... [--json]") String... words) {
        Words w = new Words("prog", words, JSON);
        String sub = w.more() ? w.next("subcommand") : "list";
        return switch (sub) {
            case "load" -> progLoad(session, sub(w, "load"));
            case "list" -> {
                Words x = sub(w, "list");
                x.end();
                List<ProgramInfo> all = core(x, BpfSystem::programs);
                if (x.flag("--json")) yield Json.write(all.stream().map(RegistryCommands::progJson).toList());
                yield all.isEmpty() ? "no programs are loaded\n" : progTable(all);
            }
            case "show" -> {
                Words x = sub(w, "show");
                int id = progRef(x);
                x.end();
                ProgramInfo p = core(x, s -> s.program(id));
                yield x.flag("--json") ? Json.write(progJson(p)) : progShow(p);
            }
            case "dump" -> {
                String what = w.next("xlated or jited");
                yield switch (what) {
                    case "xlated" -> dumpXlated(sub(w, "dump xlated"));
                    case "jited" -> dumpJited(sub(w, "dump jited"));
                    default -> throw w.fail("dump: unknown kind '" + what + "' (xlated, jited)");
                };
            }
            case "run" -> progRun(session, sub(w, "run"));
            case "unload" -> {
                Words x = sub(w, "unload");
                int id = progRef(x);
                x.end();
                core(x, s -> {
                    s.unload(id);
                    return null;
                });
                yield "prog " + id + " unloaded\n";
            }
            case "pin" -> {
                Words x = sub(w, "pin");
                int id = progRef(x);
                String path = x.next("PATH");
                x.end();
                core(x, s -> {
                    s.pinProgram(id, path);
                    return null;
                });
                yield "prog " + id + " pinned at " + path + "\n";
            }
            case "unpin" -> unpin(sub(w, "unpin"));
            default -> throw w.fail("unknown subcommand '" + sub + "' (load, list, show, dump, run, unload, pin, unpin)");
        };
    }

    /** The rest of {@code w}'s words as the subcommand's, for messages that name it. */
    private static Words sub(Words w, String name) {
        List<String> rest = new ArrayList<>();
        while (w.more()) rest.add(w.next(""));
        if (w.flag("--json")) rest.add("--json");
        return new Words(w.command() + " " + name, rest.toArray(String[]::new), JSON);
    }

    private int progRef(Words w) {
        String first = w.next("PROG (ID, id ID, pinned PATH or name NAME)");
        return switch (first) {
            case "id" -> w.nextInt("ID");
            case "pinned" -> {
                String path = w.next("PATH");
                PinnedObject o = core(w, s -> s.pinned(path));
                if (!o.kind().equals("prog")) throw w.fail(path + " holds a map, not a program");
                yield o.id();
            }
            case "name" -> {
                String name = w.next("NAME");
                List<ProgramInfo> m = core(w, s -> s.programs()).stream().filter(p -> p.name().equals(name)).toList();
                if (m.isEmpty()) throw w.fail("no program named '" + name + "'");
                if (m.size() > 1) throw w.fail(m.size() + " programs are named '" + name + "' (ids "
                        + String.join(", ", m.stream().map(p -> Integer.toString(p.id())).toList()) + "); use id ID");
                yield m.get(0).id();
            }
            default -> {
                long v = w.number(first, "PROG");
                yield (int) v;
            }
        };
    }

    private String progLoad(CommandSession session, Words w) {
        Path file = BpfCommands.resolve(session, w.next("FILE"));
        String name = null, engine = BpfSystem.AUTO, dev = null;
        ProgramType type = null;
        List<Integer> maps = new ArrayList<>();
        while (w.more()) {
            String k = w.next("keyword");
            switch (k) {
                case "name" -> name = w.next("NAME");
                case "type" -> type = type(w, w.next("TYPE"));
                case "engine", "arch" -> engine = w.next("ENGINE");
                case "map" -> maps.add(w.nextInt("map ID"));
                case "dev" -> dev = w.next("DEVICE");
                case "flow" -> {
                    String f = w.next("FLOW");
                    if (!f.equals("dynamic")) throw w.fail("flow '" + f + "': the registry offloads by the dynamic flow (the device's loader relocates)");
                }
                default -> throw w.fail("unknown keyword '" + k + "' (name, type, engine, map, dev, flow)");
            }
        }
        LoadOptions opts = new LoadOptions(name, type, engine, 0, dev);
        List<ProgramInfo> loaded;
        if (isObject(file)) {
            if (!maps.isEmpty()) throw w.fail("'map ID' is for raw bytecode; an object brings its own maps");
            byte[] elf = readFile(w, file);
            loaded = core(w, s -> s.loadObject(file.getFileName().toString(), elf, opts));
        } else {
            if (type == null) throw w.fail(file.getFileName() + " is raw bytecode: say its program type (type xdp, socket_filter, flat, ...)");
            long[] insns = ProgramFile.read(file);
            String n = name != null ? name : stem(file);
            ProgramType t = type;
            ProgramInfo one = core(w, s -> s.loadRaw(n, t, insns, maps, opts));
            loaded = List.of(one);
        }
        if (w.flag("--json")) return Json.write(loaded.stream().map(RegistryCommands::progJson).toList());
        return progTable(loaded);
    }

    private static boolean isObject(Path file) {
        if (file.getFileName().toString().endsWith(".o")) return true;
        try (var in = Files.newInputStream(file)) {
            byte[] magic = in.readNBytes(4);
            return Arrays.equals(magic, new byte[] {0x7f, 'E', 'L', 'F'});
        } catch (IOException e) {
            return false;
        }
    }

    private static String stem(Path file) {
        String n = file.getFileName().toString();
        int dot = n.indexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }

    private static byte[] readFile(Words w, Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw w.fail("no such file: " + file);
        } catch (IOException e) {
            throw w.fail("cannot read " + file + ": " + e.getMessage());
        }
    }

    private static ProgramType type(Words w, String name) {
        return ProgramType.byName(name).orElseThrow(() -> w.fail("unknown program type '" + name
                + "' (e.g. xdp, socket_filter, sched_cls, tracepoint, flat)"));
    }

    private static String progTable(List<ProgramInfo> all) {
        Table t = new Table("ID", "NAME", "TYPE", "TAG", "ENGINE", "STATE", "XLATED", "JITED", "MAPS", "RUNS", "PINNED");
        for (ProgramInfo p : all) {
            t.row(p.id(), p.name(), p.type().kernelName(), p.tag(), p.engine(), p.state(), p.xlatedInsns() * 8 + "B",
                    p.jitedBytes() == 0 ? "-" : p.jitedBytes() + "B", ids(p.mapIds()), p.runs(),
                    p.pinned().isEmpty() ? "-" : String.join(",", p.pinned()));
        }
        return t.toString();
    }

    private static String ids(List<Integer> ids) {
        return ids.isEmpty() ? "-" : String.join(",", ids.stream().map(String::valueOf).toList());
    }

    private static String progShow(ProgramInfo p) {
        StringBuilder sb = new StringBuilder();
        sb.append(p.id()).append(": ").append(p.type().kernelName()).append("  name ").append(p.name()).append("  tag ").append(p.tag()).append('\n');
        sb.append("\tengine ").append(p.engine()).append(" (").append(p.state()).append("), requested ").append(p.requested()).append('\n');
        sb.append("\txlated ").append(p.xlatedInsns() * 8).append("B  jited ").append(p.jitedBytes()).append("B  map_ids ")
                .append(ids(p.mapIds())).append('\n');
        sb.append("\truns ").append(p.runs()).append("  compiles ").append(p.compiles()).append("  verified_insns ").append(p.verifiedInsns())
                .append(p.object().isEmpty() ? "" : "  object " + p.object()).append('\n');
        for (String pin : p.pinned()) sb.append("\tpinned ").append(pin).append('\n');
        return sb.toString();
    }

    private static Map<String, Object> progJson(ProgramInfo p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", p.id());
        m.put("name", p.name());
        m.put("type", p.type().kernelName());
        m.put("tag", p.tag());
        m.put("object", p.object());
        m.put("requested", p.requested());
        m.put("engine", p.engine());
        m.put("state", p.state());
        m.put("bytes_xlated", p.xlatedInsns() * 8);
        m.put("bytes_jited", p.jitedBytes());
        m.put("map_ids", p.mapIds());
        m.put("pinned", p.pinned());
        m.put("runs", p.runs());
        m.put("compiles", p.compiles());
        m.put("verified_insns", p.verifiedInsns());
        m.put("loaded_at", p.loadedAtMillis());
        return m;
    }

    private String dumpXlated(Words w) {
        int id = progRef(w);
        String stage = null;
        while (w.more()) {
            String k = w.next("keyword");
            if (!k.equals("stage")) throw w.fail("unknown keyword '" + k + "' (stage NAME|all)");
            stage = w.next("stage NAME or all");
        }
        List<ProgramStage> stages = core(w, s -> s.xlated(id));
        List<ProgramStage> shown;
        if (stage == null) shown = List.of(stages.get(stages.size() - 1));
        else if (stage.equals("all")) shown = stages;
        else {
            String st = stage;
            shown = stages.stream().filter(s -> s.name().equals(st)).toList();
            if (shown.isEmpty()) throw w.fail("no stage '" + stage + "' (stages: "
                    + String.join(", ", stages.stream().map(ProgramStage::name).toList()) + ", all)");
        }
        if (w.flag("--json")) {
            List<Object> out = new ArrayList<>();
            for (ProgramStage s : shown) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("stage", s.name());
                m.put("insns", Disassembler.LLVM.lines(s.insns(), pc -> null));
                out.add(m);
            }
            return Json.write(out);
        }
        StringBuilder sb = new StringBuilder();
        for (ProgramStage s : shown) {
            if (shown.size() > 1 || stage != null) sb.append("; stage ").append(s.name()).append('\n');
            sb.append(Disassembler.LLVM.listing(s.insns(), pc -> null));
            if (sb.charAt(sb.length() - 1) != '\n') sb.append('\n');
        }
        return sb.toString();
    }

    private String dumpJited(Words w) {
        int id = progRef(w);
        w.end();
        JitedCode code = core(w, s -> s.jited(id));
        MachineDisassembler d = disassemblers.stream().filter(x -> x.arch().equals(code.arch())).findFirst()
                .orElseThrow(() -> w.fail("no disassembler for " + code.arch() + " is installed"));
        List<String> lines;
        try {
            lines = d.listing(code.image(), code.address());
        } catch (IllegalArgumentException e) {
            throw w.fail(code.arch() + " disassembler: " + e.getMessage());
        }
        if (w.flag("--json")) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("arch", code.arch());
            m.put("address", code.address());
            m.put("bytes", code.code().length);
            m.put("lines", lines);
            return Json.write(m);
        }
        return "; prog " + id + " on " + code.arch() + ", " + code.code().length + " bytes at 0x" + Long.toHexString(code.address()) + "\n"
                + String.join("\n", lines) + "\n";
    }

    private record RunArgs(int id, TestRun.Request request, String engine) {}

    private RunArgs runArgs(CommandSession session, Words w) {
        int id = progRef(w);
        byte[] data = null, ctx = null;
        int dataOut = -1, ctxOut = -1, repeat = 1;
        String engine = null;
        while (w.more()) {
            String k = w.next("keyword");
            switch (k) {
                case "data_in" -> data = bytesArg(session, w, "data_in");
                case "ctx_in" -> ctx = bytesArg(session, w, "ctx_in");
                case "data_size_out" -> dataOut = w.nextInt("data_size_out");
                case "ctx_size_out" -> ctxOut = w.nextInt("ctx_size_out");
                case "repeat" -> repeat = w.nextInt("repeat");
                case "engine" -> engine = w.next("ENGINE");
                default -> throw w.fail("unknown keyword '" + k + "' (data_in, ctx_in, data_size_out, ctx_size_out, repeat, engine)");
            }
        }
        if (repeat < 1) throw w.fail("repeat must be at least 1");
        if (data == null) data = new byte[0];
        if (dataOut < 0) dataOut = data.length + 256;
        if (ctxOut < 0) ctxOut = ctx == null ? 0 : ctx.length;
        return new RunArgs(id, new TestRun.Request(data, dataOut, ctx, ctxOut, repeat), engine);
    }

    /** Hex text on the command line, or a file of raw bytes. */
    private static byte[] bytesArg(CommandSession session, Words w, String what) {
        String v = w.next(what + " HEX or FILE");
        if (v.matches("(0x)?[0-9a-fA-F]+") && v.length() % 2 == 0) {
            return java.util.HexFormat.of().parseHex(v.startsWith("0x") ? v.substring(2) : v);
        }
        Path p = BpfCommands.resolve(session, v);
        if (!Files.exists(p)) throw w.fail(what + ": '" + v + "' is neither hex bytes (an even number of digits) nor a file");
        return readFile(w, p);
    }

    private String progRun(CommandSession session, Words w) {
        RunArgs a = runArgs(session, w);
        TestRun.Result r = core(w, s -> a.engine() == null ? s.testRun(a.id(), a.request()) : s.testRun(a.id(), a.engine(), a.request()));
        if (w.flag("--json")) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("retval", r.retval());
            m.put("duration_ns", r.durationNs());
            m.put("repeat", a.request().repeat());
            m.put("data_size_out", r.dataSizeOut());
            m.put("data_out", java.util.HexFormat.of().formatHex(r.dataOut()));
            m.put("ctx_out", r.ctxOut() == null ? null : java.util.HexFormat.of().formatHex(r.ctxOut()));
            m.put("error", r.error() == null ? null : r.error().name());
            return Json.write(m);
        }
        StringBuilder sb = new StringBuilder();
        sb.append("retval: ").append(r.retval()).append('\n');
        sb.append("duration (average): ").append(r.durationNs()).append("ns over ").append(a.request().repeat()).append(" run(s)\n");
        if (r.dataOut().length > 0) sb.append("data_out: ").append(Bytes.hex(r.dataOut())).append('\n');
        if (r.ctxOut() != null) sb.append("ctx_out: ").append(Bytes.hex(r.ctxOut())).append('\n');
        if (r.error() != null) sb.append("note: ").append(r.error().name()).append(": output larger than the size out asked for; cut\n");
        return sb.toString();
    }

    private String unpin(Words w) {
        String path = w.next("PATH");
        w.end();
        core(w, s -> {
            s.unpin(path);
            return null;
        });
        return path + " unpinned\n";
    }

    // ------------------------------------------------------------------------------------------
    // map

    private static final Set<String> UPDATE_STOPS = Set.of("value", "any", "noexist", "exist");

    @Descriptor("""
            Maps: \
            'map create PATH type TYPE key N value N entries N [name NAME] [flags N]', 'map list', 'map show MAP', \
            'map dump MAP', 'map lookup MAP key KEY', 'map update MAP key KEY value VALUE [any|noexist|exist]', \
            'map delete MAP key KEY', 'map pin MAP PATH', 'map unpin PATH'. \
            MAP is ID, 'id ID', 'pinned PATH' or 'name NAME'; KEY and VALUE are hex bytes (0a 00 00 00, 0a000000) \
            or typed numbers (u32 10, u64 0x10, s16 -1), pieces concatenated. Add --json for JSON.""")
    public String map(@Descriptor("create|list|show|dump|lookup|update|delete|pin|unpin ... [--json]") String... words) {
        Words w = new Words("map", words, JSON);
        String sub = w.more() ? w.next("subcommand") : "list";
        return switch (sub) {
            case "create" -> mapCreate(sub(w, "create"));
            case "list" -> {
                Words x = sub(w, "list");
                x.end();
                List<MapInfo> all = core(x, BpfSystem::maps);
                if (x.flag("--json")) yield Json.write(all.stream().map(RegistryCommands::mapJson).toList());
                yield all.isEmpty() ? "no maps\n" : mapTable(all);
            }
            case "show" -> {
                Words x = sub(w, "show");
                int id = mapRef(x);
                x.end();
                MapInfo m = core(x, s -> s.mapInfo(id));
                yield x.flag("--json") ? Json.write(mapJson(m)) : mapTable(List.of(m));
            }
            case "dump" -> mapDump(sub(w, "dump"));
            case "lookup" -> {
                Words x = sub(w, "lookup");
                int id = mapRef(x);
                BpfMap m = core(x, s -> s.map(id));
                byte[] key = key(x, m, Set.of());
                x.end();
                byte[] value = core(x, s -> m.lookup(key));
                if (x.flag("--json")) yield Json.write(entryJson(key, value));
                yield "key: " + Bytes.hex(key) + "  value: " + Bytes.hex(value) + typed(key, value) + "\n";
            }
            case "update" -> {
                Words x = sub(w, "update");
                int id = mapRef(x);
                BpfMap m = core(x, s -> s.map(id));
                byte[] key = key(x, m, UPDATE_STOPS);
                if (!x.accept("value")) throw x.fail("missing value VALUE");
                byte[] value = Bytes.read(x, "value", Set.of("any", "noexist", "exist"));
                long flags = BpfMap.BPF_ANY;
                if (x.accept("noexist")) flags = BpfMap.BPF_NOEXIST;
                else if (x.accept("exist")) flags = BpfMap.BPF_EXIST;
                else x.accept("any");
                x.end();
                int want = m.hostValueSize();
                if (value.length != want) {
                    throw x.fail("value is " + value.length + " bytes; map " + id + " (" + m.spec().name() + ") has " + want + "-byte values");
                }
                long f = flags;
                core(x, s -> {
                    m.update(key, value, f);
                    return null;
                });
                yield "map " + id + ": updated\n";
            }
            case "delete" -> {
                Words x = sub(w, "delete");
                int id = mapRef(x);
                BpfMap m = core(x, s -> s.map(id));
                byte[] key = key(x, m, Set.of());
                x.end();
                core(x, s -> {
                    m.delete(key);
                    return null;
                });
                yield "map " + id + ": deleted\n";
            }
            case "pin" -> {
                Words x = sub(w, "pin");
                int id = mapRef(x);
                String path = x.next("PATH");
                x.end();
                core(x, s -> {
                    s.pinMap(id, path);
                    return null;
                });
                yield "map " + id + " pinned at " + path + "\n";
            }
            case "unpin" -> unpin(sub(w, "unpin"));
            default -> throw w.fail("unknown subcommand '" + sub + "' (create, list, show, dump, lookup, update, delete, pin, unpin)");
        };
    }

    private int mapRef(Words w) {
        String first = w.next("MAP (ID, id ID, pinned PATH or name NAME)");
        return switch (first) {
            case "id" -> w.nextInt("ID");
            case "pinned" -> {
                String path = w.next("PATH");
                PinnedObject o = core(w, s -> s.pinned(path));
                if (!o.kind().equals("map")) throw w.fail(path + " holds a program, not a map");
                yield o.id();
            }
            case "name" -> {
                String name = w.next("NAME");
                List<MapInfo> m = core(w, BpfSystem::maps).stream().filter(x -> x.spec().name().equals(name)).toList();
                if (m.isEmpty()) throw w.fail("no map named '" + name + "'");
                if (m.size() > 1) throw w.fail(m.size() + " maps are named '" + name + "'; use id ID");
                yield m.get(0).id();
            }
            default -> (int) w.number(first, "MAP");
        };
    }

    /** {@code key KEY}, checked against the map's key size; maps without keys (queue, stack) take none. */
    private static byte[] key(Words w, BpfMap m, Set<String> stops) {
        int size = m.spec().keySize();
        if (!w.accept("key")) {
            if (size == 0) return null;
            throw w.fail("missing key KEY (" + size + " bytes)");
        }
        byte[] key = Bytes.read(w, "key", stops);
        if (key.length != size) {
            throw w.fail("key is " + key.length + " bytes; map " + m.id() + " (" + m.spec().name() + ") has " + size + "-byte keys");
        }
        return key;
    }

    private String mapCreate(Words w) {
        String path = w.next("PATH");
        MapType type = null;
        int key = -1, value = -1, entries = -1, flags = 0;
        String name = "";
        while (w.more()) {
            String k = w.next("keyword");
            switch (k) {
                case "type" -> {
                    String t = w.next("TYPE");
                    type = MapType.byName(t).orElseThrow(() -> w.fail("unknown map type '" + t + "' (e.g. hash, array, lru_hash, percpu_array, queue, ringbuf)"));
                }
                case "key" -> key = w.nextInt("key size");
                case "value" -> value = w.nextInt("value size");
                case "entries" -> entries = w.nextInt("entries");
                case "name" -> name = w.next("NAME");
                case "flags" -> flags = w.nextInt("flags");
                default -> throw w.fail("unknown keyword '" + k + "' (type, key, value, entries, name, flags)");
            }
        }
        if (type == null) throw w.fail("missing type TYPE");
        if (key < 0 || value < 0 || entries < 0) throw w.fail("missing key N, value N or entries N");
        MapSpec spec = new MapSpec(name, type, key, value, entries, flags);
        MapInfo m = core(w, s -> s.createMap(spec, path));
        return w.flag("--json") ? Json.write(mapJson(m)) : mapTable(List.of(m));
    }

    private static String mapTable(List<MapInfo> all) {
        Table t = new Table("ID", "NAME", "TYPE", "KEY", "VALUE", "ENTRIES", "FLAGS", "PROGS", "PINNED");
        for (MapInfo m : all) {
            MapSpec s = m.spec();
            t.row(m.id(), s.name().isEmpty() ? "-" : s.name(), s.type().kernelName(), s.keySize() + "B", s.valueSize() + "B", s.maxEntries(),
                    "0x" + Integer.toHexString(s.flags()), ids(m.programIds()), m.pinned().isEmpty() ? "-" : String.join(",", m.pinned()));
        }
        return t.toString();
    }

    private static Map<String, Object> mapJson(MapInfo m) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("id", m.id());
        j.put("name", m.spec().name());
        j.put("type", m.spec().type().kernelName());
        j.put("bytes_key", m.spec().keySize());
        j.put("bytes_value", m.spec().valueSize());
        j.put("max_entries", m.spec().maxEntries());
        j.put("flags", m.spec().flags());
        j.put("prog_ids", m.programIds());
        j.put("pinned", m.pinned());
        return j;
    }

    private static Map<String, Object> entryJson(byte[] key, byte[] value) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("key", key == null ? null : java.util.HexFormat.of().formatHex(key));
        j.put("value", java.util.HexFormat.of().formatHex(value));
        if (!Bytes.number(key).isEmpty()) j.put("key_u", Bytes.number(key));
        if (!Bytes.number(value).isEmpty()) j.put("value_u", Bytes.number(value));
        return j;
    }

    private static String typed(byte[] key, byte[] value) {
        String k = Bytes.number(key), v = Bytes.number(value);
        if (k.isEmpty() && v.isEmpty()) return "";
        return "  (" + (k.isEmpty() ? "" : "key " + k) + (k.isEmpty() || v.isEmpty() ? "" : ", ") + (v.isEmpty() ? "" : "value " + v) + ")";
    }

    private String mapDump(Words w) {
        int id = mapRef(w);
        w.end();
        BpfMap m = core(w, s -> s.map(id));
        List<byte[][]> entries = new ArrayList<>();
        core(w, s -> {
            if (m.spec().keySize() == 0) throw new BpfException(org.obpf.api.Errno.EINVAL, "map " + id + " (" + m.spec().type().kernelName()
                    + ") has no keys to dump; use map lookup to peek");
            byte[] k = null;
            for (int n = 0; n <= Math.max(m.spec().maxEntries(), 0); n++) {
                try {
                    k = m.nextKey(k);
                } catch (BpfException e) {
                    if (e.errno() == org.obpf.api.Errno.ENOENT) break;
                    throw e;
                }
                byte[] v;
                try {
                    v = m.lookup(k);
                } catch (BpfException e) {
                    if (e.errno() == org.obpf.api.Errno.ENOENT) continue; // deleted since
                    throw e;
                }
                entries.add(new byte[][] {k, v});
            }
            return null;
        });
        if (w.flag("--json")) return Json.write(entries.stream().map(e -> entryJson(e[0], e[1])).toList());
        boolean numbers = !Bytes.number(new byte[m.spec().keySize()]).isEmpty() || !Bytes.number(new byte[m.hostValueSize()]).isEmpty();
        Table t = numbers ? new Table("KEY", "VALUE", "KEY(u)", "VALUE(u)") : new Table("KEY", "VALUE");
        for (byte[][] e : entries) t.row(Bytes.hex(e[0]), Bytes.hex(e[1]), Bytes.number(e[0]), Bytes.number(e[1]));
        return t + "Found " + entries.size() + " element" + (entries.size() == 1 ? "" : "s") + "\n";
    }

    // ------------------------------------------------------------------------------------------
    // verify, trace, feature, compare

    @Descriptor("""
            Verify a program without loading it and print the verifier log: \
            'verify FILE [name NAME] [type TYPE] [map ID]... [log_level 0|1|2]'. FILE is an ELF object or raw bytecode \
            (which needs a type). Fails when the verifier rejects a program. Add --json for JSON.""")
    public String verify(CommandSession session, @Descriptor("FILE [name NAME] [type TYPE] [map ID]... [log_level N] [--json]") String... words) {
        Words w = new Words("verify", words, JSON);
        Path file = BpfCommands.resolve(session, w.next("FILE"));
        String name = null;
        ProgramType type = null;
        int level = 1;
        List<Integer> maps = new ArrayList<>();
        while (w.more()) {
            String k = w.next("keyword");
            switch (k) {
                case "name" -> name = w.next("NAME");
                case "type" -> type = type(w, w.next("TYPE"));
                case "map" -> maps.add(w.nextInt("map ID"));
                case "log_level" -> level = w.nextInt("log_level");
                default -> throw w.fail("unknown keyword '" + k + "' (name, type, map, log_level)");
            }
        }
        List<VerifyReport> reports;
        int lvl = level;
        if (isObject(file)) {
            byte[] elf = readFile(w, file);
            String n = name;
            ProgramType t = type;
            reports = core(w, s -> s.verifyObject(file.getFileName().toString(), elf, n, t, lvl));
        } else {
            if (type == null) throw w.fail(file.getFileName() + " is raw bytecode: say its program type (type xdp, socket_filter, flat, ...)");
            long[] insns = ProgramFile.read(file);
            String n = name != null ? name : stem(file);
            ProgramType t = type;
            VerifyReport one = core(w, s -> s.verifyRaw(n, t, insns, maps, lvl));
            reports = List.of(one);
        }
        String out;
        if (w.flag("--json")) {
            List<Object> list = new ArrayList<>();
            for (VerifyReport r : reports) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("program", r.program());
                m.put("accepted", r.accepted());
                m.put("error", r.error());
                m.put("error_insn", r.errorInsn());
                m.put("processed", r.processed());
                m.put("total_states", r.totalStates());
                m.put("peak_states", r.peakStates());
                m.put("ns", r.nanos());
                m.put("log", r.log());
                list.add(m);
            }
            out = Json.write(list) + "\n";
        } else {
            StringBuilder sb = new StringBuilder();
            for (VerifyReport r : reports) {
                sb.append("prog ").append(r.program()).append(": ").append(r.accepted() ? "ACCEPT" : "REJECT insn " + r.errorInsn() + ": "
                        + firstLine(r.error())).append(" (processed ").append(r.processed()).append(" insns, ").append(r.totalStates())
                        .append(" states, peak ").append(r.peakStates()).append(", ").append(r.nanos() / 1000).append(" us)\n");
                if (!r.log().isEmpty()) sb.append(r.log()).append(r.log().endsWith("\n") ? "" : "\n");
            }
            out = sb.toString();
        }
        List<VerifyReport> rejected = reports.stream().filter(r -> !r.accepted()).toList();
        if (rejected.isEmpty()) return out;
        // The log is the answer even for a rejection: print it, then fail with one line.
        PrintStream console = session == null ? null : session.getConsole();
        if (console != null) {
            console.print(out);
            console.flush();
        }
        VerifyReport r = rejected.get(0);
        throw w.fail("prog " + r.program() + " rejected: insn " + r.errorInsn() + ": " + firstLine(r.error()));
    }

    private static String firstLine(String s) {
        if (s == null) return "";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    @Descriptor("The bpf_trace_printk buffer, oldest line first: 'trace' shows it, 'trace --consume' empties it as reading trace_pipe does")
    public String trace(@Descriptor("[--consume] [--json]") String... words) {
        Words w = new Words("trace", words, Set.of("--json", "--consume"));
        w.end();
        List<String> lines = core(w, s -> s.trace(w.flag("--consume")));
        if (w.flag("--json")) return Json.write(lines);
        return lines.isEmpty() ? "the trace buffer is empty\n" : String.join("\n", lines) + "\n";
    }

    @Descriptor("What this system supports, found by loading trivial programs and creating small maps: 'feature probe [ENGINE]'; add --json for JSON")
    public String feature(@Descriptor("probe [ENGINE] [--json]") String... words) {
        Words w = new Words("feature", words, JSON);
        String sub = w.next("subcommand (probe)");
        if (!sub.equals("probe")) throw w.fail("unknown subcommand '" + sub + "' (probe)");
        String engine = w.more() ? w.next("ENGINE") : null;
        w.end();
        FeatureProbe f = core(w, BpfSystem::probe);
        if (engine != null && !f.helpers().containsKey(engine)) {
            throw w.fail("no engine '" + engine + "' (engines: " + String.join(", ", f.helpers().keySet()) + ")");
        }
        if (w.flag("--json")) {
            Map<String, Object> m = new LinkedHashMap<>();
            List<Object> types = new ArrayList<>();
            for (var t : f.programTypes()) {
                Map<String, Object> x = new LinkedHashMap<>();
                x.put("type", t.type().kernelName());
                x.put("loads", t.loads());
                x.put("test_run", t.testRun());
                types.add(x);
            }
            m.put("program_types", types);
            List<Object> maps = new ArrayList<>();
            for (var t : f.mapTypes()) {
                Map<String, Object> x = new LinkedHashMap<>();
                x.put("type", t.type().kernelName());
                x.put("creates", t.creates());
                if (!t.creates()) x.put("reason", t.reason());
                maps.add(x);
            }
            m.put("map_types", maps);
            Map<String, Object> helpers = new LinkedHashMap<>();
            f.helpers().forEach((e, h) -> {
                if (engine == null || engine.equals(e)) helpers.put(e, h.values());
            });
            m.put("helpers", helpers);
            return Json.write(m);
        }
        StringBuilder sb = new StringBuilder();
        Table pt = new Table("PROGRAM TYPE", "LOADS", "TEST_RUN");
        for (var t : f.programTypes()) pt.row(t.type().kernelName(), t.loads() ? "yes" : "no", t.testRun() ? "yes" : "no");
        sb.append(pt).append('\n');
        Table mt = new Table("MAP TYPE", "CREATES", "WHY NOT");
        for (var t : f.mapTypes()) mt.row(t.type().kernelName(), t.creates() ? "yes" : "no", t.creates() ? "" : t.reason());
        sb.append(mt).append('\n');
        Table ht = new Table("ENGINE", "HELPERS", "NAMES");
        f.helpers().forEach((e, h) -> {
            if (engine == null || engine.equals(e)) ht.row(e, h.size(), String.join(" ", h.values()));
        });
        sb.append(ht);
        return sb.toString();
    }

    @Descriptor("""
            Run one program on every engine (the interpreter and each installed host back-end) with the same input: \
            'compare PROG [data_in HEX|FILE] [ctx_in HEX|FILE] [repeat N]'. Prints each engine's return value, whether its \
            output agrees with the interpreter's, time per run and code size. Add --json for JSON.""")
    public String compare(CommandSession session, @Descriptor("PROG [data_in HEX|FILE] [ctx_in HEX|FILE] [repeat N] [--json]") String... words) {
        Words w = new Words("compare", words, JSON);
        RunArgs a = runArgs(session, w);
        if (a.engine() != null) throw w.fail("compare runs every engine; 'engine' is for prog run");
        core(w, s -> s.program(a.id())); // an unknown id is bad input, not an engine's failure
        List<String> engines = core(w, BpfSystem::engines);
        List<Map<String, Object>> rows = new ArrayList<>();
        TestRun.Result reference = null;
        for (String e : engines) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("engine", e);
            try {
                TestRun.Result r = system(w).testRun(a.id(), e, a.request());
                if (reference == null) reference = r;
                row.put("retval", r.retval());
                row.put("agrees", r.retval() == reference.retval() && Arrays.equals(r.dataOut(), reference.dataOut())
                        && Arrays.equals(r.ctxOut(), reference.ctxOut()));
                row.put("ns_per_run", r.durationNs());
                row.put("code_bytes", system(w).codeSize(a.id(), e));
                row.put("error", null);
            } catch (BpfException x) {
                row.put("retval", null);
                row.put("agrees", false);
                row.put("ns_per_run", null);
                row.put("code_bytes", null);
                row.put("error", x.getMessage());
            }
            rows.add(row);
        }
        if (w.flag("--json")) return Json.write(rows);
        Table t = new Table("ENGINE", "RETVAL", "AGREES", "NS/RUN", "CODE", "NOTE");
        for (Map<String, Object> r : rows) {
            Object code = r.get("code_bytes");
            t.row(r.get("engine"), r.get("retval") == null ? "-" : r.get("retval"), Boolean.TRUE.equals(r.get("agrees")) ? "yes" : "NO",
                    r.get("ns_per_run") == null ? "-" : r.get("ns_per_run"),
                    code == null ? "-" : (Integer) code == 0 ? "-" : code + "B", r.get("error") == null ? "" : r.get("error"));
        }
        return t.toString();
    }

    private BpfSystem system(Words w) {
        BpfSystem s = system;
        if (s == null) throw w.fail("the OBPF core is not running (feature:install obpf-core)");
        return s;
    }
}
