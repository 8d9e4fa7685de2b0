package org.obpf.shell;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.io.IOException;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.obpf.api.jit.BackendInfo;
import org.obpf.api.jit.Capabilities;
import org.obpf.api.jit.Feature;
import org.obpf.api.jit.JitRegistry;
import org.obpf.api.jit.NoSuchBackendException;
import org.obpf.api.jit.Refusal;
import org.obpf.api.offload.DeviceInfo;
import org.obpf.api.offload.MemoryRegion;
import org.obpf.api.offload.OffloadCandidate;
import org.obpf.api.offload.OffloadCheck;
import org.obpf.api.offload.OffloadQuery;
import org.obpf.api.prog.ProgramType;
import org.obpf.api.text.Disassembler;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The {@code bpf} command scope, in bpftool's words. Every command answers with a table for
 * people, JSON with {@code --json}, and refuses bad input with one line naming the problem.
 * Core may come and go: the references are optional, and a command that needs it says so.
 */
@Component(service = BpfCommands.class)
@GogoCommand(scope = "bpf", function = {"backend", "offload", "asm", "disasm"})
public final class BpfCommands {
    private static final Set<String> JSON = Set.of("--json");

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile JitRegistry jits;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile OffloadQuery offload;

    @Descriptor("JIT back-ends: 'backend list' (the default), 'backend show ARCH'; add --json for JSON")
    public String backend(@Descriptor("list | show ARCH [--json]") String... words) {
        Args a = new Args("backend", words, JSON, Set.of());
        String sub = a.positional.isEmpty() ? "list" : a.positional.get(0);
        JitRegistry r = jits("backend");
        return switch (sub) {
            case "list" -> {
                a.noMoreThan(1, "backend list");
                List<BackendInfo> all = r.backends();
                if (a.flag("--json")) yield Json.write(all.stream().map(BpfCommands::backendJson).toList());
                Table t = new Table("ARCH", "BUNDLE", "VERSION", "SERVICE", "RANKING", "ZEXT", "HELPERS", "NOT SUPPORTED");
                for (BackendInfo b : all) {
                    Capabilities c = b.capabilities();
                    t.row(b.arch(), b.bundle(), b.bundleVersion(), b.serviceId(), b.ranking(), b.needsZext() ? "yes" : "no",
                            c.anyHelper() ? "any" : c.helpers().size() + " ids", missing(c).isEmpty() ? "-" : String.join(",", missing(c)));
                }
                yield all.isEmpty() ? "no JIT back-end is installed\n" : t.toString();
            }
            case "show" -> {
                String arch = a.positional(1, "backend show", "ARCH");
                a.noMoreThan(2, "backend show");
                BackendInfo b = r.backends().stream().filter(x -> x.arch().equals(arch)).findFirst()
                        .orElseThrow(() -> new ShellException("backend show: " + new NoSuchBackendException(arch, r.archs()).getMessage()));
                if (a.flag("--json")) yield Json.write(backendJson(b));
                Capabilities c = b.capabilities();
                StringBuilder sb = new StringBuilder();
                sb.append("arch:          ").append(b.arch()).append('\n');
                sb.append("bundle:        ").append(b.bundle()).append(' ').append(b.bundleVersion()).append('\n');
                sb.append("service:       ").append(b.serviceId()).append(" (ranking ").append(b.ranking()).append(")\n");
                sb.append("needs zext:    ").append(b.needsZext() ? "yes" : "no").append('\n');
                sb.append("supports:      ").append(String.join(", ", names(c.features()))).append('\n');
                sb.append("not supported: ").append(missing(c).isEmpty() ? "-" : String.join(", ", missing(c))).append('\n');
                sb.append("helpers:       ").append(c.anyHelper() ? "any" : new TreeSet<>(c.helpers()).toString()).append('\n');
                sb.append("program types: ").append(c.programTypes().size() == ProgramType.values().length ? "all"
                        : String.join(", ", c.programTypes().stream().map(ProgramType::kernelName).sorted().toList())).append('\n');
                sb.append("max insns:     ").append(c.maxInsns() == 0 ? "no limit" : c.maxInsns()).append('\n');
                yield sb.toString();
            }
            default -> throw new ShellException("backend: unknown subcommand '" + sub + "' (list, show)");
        };
    }

    @Descriptor("Offload devices: 'offload list' (the default), 'offload query DEVICE FILE [--type TYPE]'; add --json for JSON")
    public String offload(CommandSession session,
                          @Descriptor("list | query DEVICE FILE [--type TYPE] [--json]") String... words) {
        Args a = new Args("offload", words, JSON, Set.of("--type"));
        String sub = a.positional.isEmpty() ? "list" : a.positional.get(0);
        OffloadQuery q = offload("offload");
        return switch (sub) {
            case "list" -> {
                a.noMoreThan(1, "offload list");
                List<DeviceInfo> devices = q.devices();
                if (a.flag("--json")) yield Json.write(devices.stream().map(BpfCommands::deviceJson).toList());
                if (devices.isEmpty()) yield "no offload device is registered\n";
                Table t = new Table("DEVICE", "ARCH", "BACK-END", "CODE", "FLOWS", "REGIONS", "HELPERS");
                JitRegistry r = jits;
                for (DeviceInfo d : devices) {
                    t.row(d.name(), d.arch(), r != null && r.find(d.arch()).isPresent() ? "installed" : "missing",
                            d.codeBytes() + " B", (d.staticOffload() ? "static" : "") + (d.staticOffload() && d.dynamicOffload() ? "," : "")
                                    + (d.dynamicOffload() ? "dynamic" : ""),
                            d.regions().size(), d.helperAddresses().size());
                }
                yield t.toString();
            }
            case "query" -> {
                String dev = a.positional(1, "offload query", "DEVICE");
                Path file = resolve(session, a.positional(2, "offload query", "FILE"));
                a.noMoreThan(3, "offload query");
                ProgramType type = programType(a.option("--type", "xdp"));
                OffloadCheck check = q.check(dev, new OffloadCandidate(file.getFileName().toString(), type,
                        ProgramFile.read(file), List.of()));
                if (a.flag("--json")) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("device", check.device());
                    m.put("offloadable", check.offloadable());
                    List<Object> reasons = new ArrayList<>();
                    for (Refusal r : check.reasons()) {
                        Map<String, Object> x = new LinkedHashMap<>();
                        x.put("kind", r.kind().name().toLowerCase());
                        x.put("insn", r.insn());
                        x.put("detail", r.detail());
                        reasons.add(x);
                    }
                    m.put("reasons", reasons);
                    yield Json.write(m);
                }
                yield check.offloadable() ? dev + ": can offload " + file.getFileName() + "\n"
                        : dev + ": cannot offload " + file.getFileName() + ":\n  "
                                + String.join("\n  ", check.reasons().stream().map(Refusal::detail).toList()) + "\n";
            }
            default -> throw new ShellException("offload: unknown subcommand '" + sub + "' (list, query)");
        };
    }

    @Descriptor("Assemble a program written in the conformance suite's syntax; prints its bytecode as hex, or writes it with -o")
    public String asm(CommandSession session, @Descriptor("FILE.s [-o OUT]") String... words) {
        Args a = new Args("asm", words, Set.of(), Set.of("-o"));
        Path in = resolve(session, a.positional(0, "asm", "FILE"));
        a.noMoreThan(1, "asm");
        if (!in.getFileName().toString().endsWith(".s") && !in.getFileName().toString().endsWith(".asm")) {
            throw new ShellException("asm: " + in.getFileName() + " is not assembly text (.s or .asm)");
        }
        long[] prog = ProgramFile.read(in);
        String out = a.option("-o", null);
        if (out != null) {
            Path o = resolve(session, out);
            try {
                Files.write(o, ProgramFile.bytes(prog));
            } catch (IOException e) {
                throw new ShellException("asm: cannot write " + o + ": " + e.getMessage());
            }
            return prog.length + " instructions written to " + o + "\n";
        }
        StringBuilder sb = new StringBuilder();
        for (long w : prog) sb.append(String.format("%016x", Long.reverseBytes(w))).append('\n');
        return sb.toString();
    }

    @Descriptor("Disassemble a raw program (binary, hex text or .s) in llvm-objdump's syntax")
    public String disasm(CommandSession session, @Descriptor("FILE [--json]") String... words) {
        Args a = new Args("disasm", words, JSON, Set.of());
        Path in = resolve(session, a.positional(0, "disasm", "FILE"));
        a.noMoreThan(1, "disasm");
        long[] prog = ProgramFile.read(in);
        if (a.flag("--json")) {
            List<Object> lines = new ArrayList<>();
            List<String> text = Disassembler.LLVM.lines(prog, pc -> null);
            for (int pc = 0, i = 0; pc < prog.length && i < text.size(); pc++, i++) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("insn", pc);
                m.put("text", text.get(i));
                lines.add(m);
                if ((prog[pc] & 0xff) == 0x18) pc++;
            }
            return Json.write(lines);
        }
        return Disassembler.LLVM.listing(prog, pc -> null);
    }

    private JitRegistry jits(String command) {
        JitRegistry r = jits;
        if (r == null) throw new ShellException(command + ": the OBPF core is not running (feature:install obpf-core)");
        return r;
    }

    private OffloadQuery offload(String command) {
        OffloadQuery q = offload;
        if (q == null) throw new ShellException(command + ": the OBPF core is not running (feature:install obpf-core)");
        return q;
    }

    static Path resolve(CommandSession session, String name) {
        Path p = Path.of(name);
        if (p.isAbsolute() || session == null) return p;
        return session.currentDir() == null ? p : session.currentDir().resolve(p);
    }

    static ProgramType programType(String name) {
        return ProgramType.byName(name).orElseThrow(() -> new ShellException("unknown program type '" + name
                + "' (e.g. xdp, socket_filter, sched_cls, tracepoint, flat)"));
    }

    private static List<String> names(Set<Feature> features) {
        return features.stream().map(f -> f.name().toLowerCase()).sorted().toList();
    }

    private static List<String> missing(Capabilities c) {
        EnumSet<Feature> m = EnumSet.allOf(Feature.class);
        m.removeAll(c.features());
        return names(m);
    }

    private static Map<String, Object> backendJson(BackendInfo b) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("arch", b.arch());
        m.put("bundle", b.bundle());
        m.put("version", b.bundleVersion());
        m.put("service", b.serviceId());
        m.put("ranking", b.ranking());
        m.put("needs_zext", b.needsZext());
        m.put("features", names(b.capabilities().features()));
        m.put("helpers", b.capabilities().anyHelper() ? "any" : new TreeSet<>(b.capabilities().helpers()));
        m.put("program_types", b.capabilities().programTypes().stream().map(ProgramType::kernelName).sorted().toList());
        m.put("max_insns", b.capabilities().maxInsns());
        return m;
    }

    private static Map<String, Object> deviceJson(DeviceInfo d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", d.name());
        m.put("arch", d.arch());
        m.put("code_bytes", d.codeBytes());
        m.put("static_offload", d.staticOffload());
        m.put("dynamic_offload", d.dynamicOffload());
        List<Object> regions = new ArrayList<>();
        for (MemoryRegion r : d.regions()) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("name", r.name());
            x.put("kind", r.kind().name().toLowerCase());
            x.put("base", r.base());
            x.put("size", r.size());
            regions.add(x);
        }
        m.put("regions", regions);
        Map<String, Object> helpers = new LinkedHashMap<>();
        new java.util.TreeMap<>(d.helperAddresses()).forEach((id, addr) -> helpers.put(Integer.toString(id), addr));
        m.put("helpers", helpers);
        m.put("map_types", d.mapTypes().stream().map(t -> t.kernelName()).sorted().toList());
        m.put("program_types", d.programTypes().stream().map(ProgramType::kernelName).sorted().toList());
        return m;
    }
}
