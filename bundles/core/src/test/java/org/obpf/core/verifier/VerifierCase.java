package org.obpf.core.verifier;

import static org.obpf.api.insn.Opcodes.*;

import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.obpf.api.insn.Insn;
import org.obpf.api.map.MapSpec;
import org.obpf.api.prog.ProgramType;
import org.obpf.api.text.AssemblerException;
import org.obpf.api.text.Assembler;
import org.obpf.core.tools.Verify;

/**
 * One verifier test case from a data file: header lines {@code # key: value} (type, map,
 * result, error, insn, log, mem-size, insn-limit, allow-uninit-stack, title, and kernel: why the
 * Linux kernel's verdict differs, for kernel-ref's differential test) and a program in the conformance
 * assembler's syntax, with three extra forms for what that syntax cannot say:
 * {@code ld_map_fd %rN, K} (lddw src 1), {@code ld_map_value %rN, K, OFF} (lddw src 2) and
 * {@code ld_func %rN, label} (lddw src 4, a callback's address). {@code # inner-map: K TYPE:KEY:VALUE:MAX}
 * gives map K (a map-in-map) its inner map template. {@code # kernel-processed: N} is the Linux
 * kernel's processed-instruction count for the case: OBPF must stay within twice that.
 */
public record VerifierCase(String name, String title, ProgramType type, List<MapSpec> maps, boolean accept,
                    List<String> errors, int insn, List<String> logs, long memSize, int insnLimit,
                    boolean allowUninitStack, String kernel, long[] prog, Map<Integer, MapSpec> innerMaps, int kernelProcessed) {

    public static VerifierCase parse(String name, String text) throws AssemblerException {
        ProgramType type = ProgramType.XDP;
        List<MapSpec> maps = new ArrayList<>();
        Map<Integer, MapSpec> inner = new java.util.TreeMap<>();
        int kernelProcessed = -1;
        Boolean accept = null;
        List<String> errors = new ArrayList<>();
        List<String> logs = new ArrayList<>();
        int insn = -1;
        long memSize = 0;
        int limit = VerifierOptions.BPF_COMPLEXITY_LIMIT_INSNS;
        boolean uninit = false;
        String title = name;
        String kernel = null;
        StringBuilder src = new StringBuilder();
        List<int[]> patches = new ArrayList<>(); // {slot, kind, reg}
        int slot = 0;
        for (String line : text.split("\n")) {
            String t = line.strip();
            if (t.startsWith("#")) {
                String h = t.substring(1).strip();
                int colon = h.indexOf(':');
                if (colon > 0) {
                    String key = h.substring(0, colon).strip();
                    String value = h.substring(colon + 1).strip();
                    switch (key) {
                        case "type" -> type = ProgramType.byName(value).orElseThrow(() -> new IllegalArgumentException(name + ": type " + value));
                        case "map" -> maps.add(Verify.parseMap(value));
                        case "kernel-processed" -> kernelProcessed = Integer.parseInt(value);
                        case "inner-map" -> {
                            String[] kv = value.split("\\s+", 2);
                            inner.put(Integer.parseInt(kv[0]), Verify.parseMap(kv[1]));
                        }
                        case "result" -> accept = value.equalsIgnoreCase("accept");
                        case "error" -> errors.add(value);
                        case "log" -> logs.add(value);
                        case "insn" -> insn = Integer.parseInt(value);
                        case "mem-size" -> memSize = Long.parseLong(value);
                        case "insn-limit" -> limit = Integer.parseInt(value);
                        case "allow-uninit-stack" -> uninit = Boolean.parseBoolean(value);
                        case "title" -> title = value;
                        case "kernel" -> kernel = value;
                        default -> { }
                    }
                }
                src.append('\n');
                continue;
            }
            if (name.endsWith(".hex")) {
                src.append(line).append('\n');
                continue;
            }
            int hash = t.indexOf('#');
            String code = (hash >= 0 ? t.substring(0, hash) : t).strip();
            if (code.isEmpty() || code.endsWith(":") && !code.contains(" ")) {
                src.append(line).append('\n');
                continue;
            }
            String[] parts = code.split("[,\\s]+");
            switch (parts[0]) {
                case "ld_map_fd" -> {
                    src.append("lddw ").append(parts[1]).append(", ").append(parts[2]).append('\n');
                    patches.add(new int[] {slot, BPF_PSEUDO_MAP_FD});
                    slot += 2;
                }
                case "ld_map_value" -> {
                    long v = Long.parseLong(parts[2]) | Long.parseLong(parts[3]) << 32;
                    src.append("lddw ").append(parts[1]).append(", ").append(v).append('\n');
                    patches.add(new int[] {slot, BPF_PSEUDO_MAP_VALUE});
                    slot += 2;
                }
                case "ld_func" -> {
                    // A local call carries the label's offset; rewritten below into lddw src 4.
                    src.append("call local ").append(parts[2]).append('\n').append("ja +0\n");
                    patches.add(new int[] {slot, BPF_PSEUDO_FUNC, Integer.parseInt(parts[1].substring(2))});
                    slot += 2;
                }
                default -> {
                    src.append(line).append('\n');
                    slot += parts[0].equals("lddw") ? 2 : 1;
                }
            }
        }
        if (accept == null) throw new IllegalArgumentException(name + ": no '# result:' line");
        long[] prog = name.endsWith(".hex") ? hex(src.toString()) : Assembler.assemble(src.toString());
        for (int[] p : patches) {
            long w = prog[p[0]];
            if (p[1] == BPF_PSEUDO_FUNC) {
                prog[p[0]] = Insn.encode(BPF_LD | BPF_IMM | BPF_DW, p[2], BPF_PSEUDO_FUNC, 0, Insn.imm(w));
                prog[p[0] + 1] = 0;
            } else {
                prog[p[0]] = (w & ~0xf000L) | (long) p[1] << 12;
            }
        }
        return new VerifierCase(name, title, type, List.copyOf(maps), accept, List.copyOf(errors), insn, List.copyOf(logs),
                memSize, limit, uninit, kernel, prog, Map.copyOf(inner), kernelProcessed);
    }

    /**
     * Every case under {@code /verifier/DIR} on the class path ({@code accept} or {@code reject}),
     * sorted by file name; from a directory or from a jar (the core test jar, for kernel-ref).
     */
    public static List<VerifierCase> all(String dir) throws Exception {
        URI uri = VerifierCase.class.getResource("/verifier/" + dir).toURI();
        FileSystem fs = null;
        try {
            Path root;
            if (uri.getScheme().equals("jar")) {
                fs = FileSystems.newFileSystem(uri, Map.of());
                root = fs.getPath("/verifier/" + dir);
            } else {
                root = Path.of(uri);
            }
            List<VerifierCase> out = new ArrayList<>();
            try (Stream<Path> s = Files.list(root)) {
                for (Path p : s.sorted().toList()) {
                    String n = p.getFileName().toString();
                    if (n.endsWith(".s") || n.endsWith(".hex")) out.add(parse(n, Files.readString(p)));
                }
            }
            return out;
        } finally {
            if (fs != null) fs.close();
        }
    }

    /** A {@code .hex} case: 8-byte little-endian instructions as hex bytes (from clang, see its header). */
    static long[] hex(String text) {
        String digits = text.replaceAll("\\s+", "");
        long[] w = new long[digits.length() / 16];
        for (int i = 0; i < w.length; i++) {
            long v = 0;
            for (int j = 7; j >= 0; j--) v = v << 8 | Long.parseLong(digits.substring(i * 16 + 2 * j, i * 16 + 2 * j + 2), 16);
            w[i] = v;
        }
        return w;
    }

    public VerifierOptions options(int logLevel) {
        return new VerifierOptions(type, maps, logLevel, memSize, insnLimit, allowUninitStack, innerMaps);
    }
}
