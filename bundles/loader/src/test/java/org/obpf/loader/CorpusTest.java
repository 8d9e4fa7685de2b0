package org.obpf.loader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.obpf.api.insn.Opcodes.BPF_CALL;
import static org.obpf.api.insn.Opcodes.BPF_JMP;
import static org.obpf.api.insn.Opcodes.BPF_PSEUDO_CALL;
import static org.obpf.api.insn.Opcodes.BPF_PSEUDO_FUNC;
import static org.obpf.api.insn.Opcodes.BPF_PSEUDO_MAP_IDX;
import static org.obpf.api.insn.Opcodes.BPF_PSEUDO_MAP_IDX_VALUE;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.obpf.api.insn.Insn;
import org.obpf.api.insn.Opcodes;
import org.obpf.api.obj.AttachType;
import org.obpf.api.obj.BpfObject;
import org.obpf.api.obj.FuncInfo;
import org.obpf.api.obj.LineInfo;
import org.obpf.api.obj.LoadException;
import org.obpf.api.obj.MapDefinition;
import org.obpf.api.obj.ProgramSpec;
import org.obpf.api.text.Disassembler;

/**
 * Every corpus object loads to exactly what corpus-expected.txt says, and every program's
 * instructions agree with {@code llvm-objdump -d -r}: unrelocated instructions print the same,
 * relocated loads became the right map-index pseudo loads, and calls reach the right appended
 * sub-programs.
 */
class CorpusTest {
    private final ElfObjectLoader loader = new ElfObjectLoader();

    static Stream<String> objects() {
        return Corpus.names().stream();
    }

    /** corpus-expected.txt: object file name -> its lines (object line first). */
    static Map<String, List<String>> expected() {
        String text = new String(Corpus.bytes("corpus-expected.txt"), StandardCharsets.UTF_8);
        Map<String, List<String>> out = new LinkedHashMap<>();
        List<String> cur = null;
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) continue;
            if (!line.startsWith(" ")) {
                cur = new ArrayList<>();
                out.put(line.substring(0, line.indexOf(' ')), cur);
            }
            if (cur == null) fail("corpus-expected.txt: indented line before the first object: " + line);
            cur.add(line);
        }
        return out;
    }

    @Test
    void theExpectationsCoverExactlyTheCorpus() {
        List<String> files = Corpus.names().stream().map(n -> n + ".o").sorted().toList();
        assertEquals(files, expected().keySet().stream().sorted().toList());
        assertTrue(files.size() >= 15, "at least 15 corpus objects, found " + files.size());
    }

    @ParameterizedTest
    @MethodSource("objects")
    void loadsAsExpected(String name) throws LoadException {
        BpfObject obj = loader.load(name + ".o", Corpus.object(name));
        assertEquals(name, obj.name());
        List<String> want = expected().get(name + ".o");
        assertNotNull(want, name + ".o is not in corpus-expected.txt");
        assertEquals(String.join("\n", want), String.join("\n", describe(name + ".o", obj)));
    }

    @ParameterizedTest
    @MethodSource("objects")
    void funcAndLineInfoFollowTheAppendedFunctions(String name) throws LoadException {
        BpfObject obj = loader.load(name + ".o", Corpus.object(name));
        assertTrue(obj.btf().length > 0, "the corpus is compiled with -g: BTF");
        Map<String, Integer> typeIds = new HashMap<>();
        List<String> source = List.of(new String(Corpus.bytes("corpus/" + name + ".c"), StandardCharsets.UTF_8).split("\n", -1));
        for (ProgramSpec p : obj.programs()) {
            List<Integer> starts = new ArrayList<>(List.of(0));
            p.subprograms().forEach(s -> starts.add(s.start()));
            assertEquals(starts, p.funcInfo().stream().map(FuncInfo::insn).toList(), p.name() + ": one func info per function");
            List<String> names = new ArrayList<>(List.of(p.name()));
            p.subprograms().forEach(s -> names.add(s.name()));
            for (int i = 0; i < names.size(); i++) {
                Integer prev = typeIds.putIfAbsent(names.get(i), p.funcInfo().get(i).typeId());
                if (prev != null) assertEquals(prev, p.funcInfo().get(i).typeId(), names.get(i) + ": the same FUNC type in every program");
            }
            List<LineInfo> lines = p.lineInfo();
            assertEquals(0, lines.get(0).insn(), p.name() + ": line info from the first instruction");
            for (int i = 0; i < lines.size(); i++) {
                LineInfo l = lines.get(i);
                assertTrue(i == 0 || lines.get(i - 1).insn() < l.insn(), p.name() + ": line info in instruction order");
                assertTrue(l.insn() < p.length(), p.name() + ": line info inside the program");
                assertTrue(l.file().endsWith("/" + name + ".c"), l.file());
                assertEquals(l.line() << 10 | l.column(), l.lineCol());
            }
            for (LineInfo l : lines) {
                if (l.line() > 0) assertEquals(source.get(l.line() - 1), l.source(), p.name() + " slot " + l.insn() + ": line " + l.line() + " of " + name + ".c");
            }
            for (ProgramSpec.Subprogram s : p.subprograms()) {
                LineInfo first = lines.stream().filter(l -> l.insn() == s.start()).findFirst()
                        .orElseThrow(() -> new AssertionError(p.name() + ": no line info at " + s.name()));
                int decl = 0;
                while (decl < source.size() && !(source.get(decl).contains(s.name() + "(") && !Character.isWhitespace(source.get(decl).charAt(0)))) decl++;
                int end = decl;
                while (end < source.size() && !source.get(end).equals("}")) end++;
                assertTrue(first.line() > decl && first.line() <= end + 1,
                        p.name() + ": " + s.name() + " (lines " + (decl + 1) + "-" + (end + 1) + " of " + name + ".c) starts at line " + first.line());
            }
        }
    }

    static List<String> describe(String file, BpfObject o) {
        List<String> out = new ArrayList<>();
        out.add(file + " license=\"" + o.license() + "\" version=0x" + Integer.toHexString(o.kernelVersion()));
        for (MapDefinition m : o.maps()) {
            var s = m.spec();
            String inner = m.innerMap().map(i -> i.name() + "/" + i.spec().type().kernelName() + "/" + i.spec().keySize() + "/"
                    + i.spec().valueSize() + "/" + i.spec().maxEntries() + "/0x" + Integer.toHexString(i.spec().flags())).orElse("-");
            byte[] init = m.initialValue();
            out.add("  map " + m.name() + " kind=" + m.kind().name().toLowerCase(Locale.ROOT) + " section=" + m.section()
                    + " type=" + s.type().kernelName() + " key=" + s.keySize() + " value=" + s.valueSize() + " max=" + s.maxEntries()
                    + " flags=0x" + Integer.toHexString(s.flags()) + " kname=" + s.name() + " frozen=" + m.frozen()
                    + " pinning=" + m.pinning().name().toLowerCase(Locale.ROOT)
                    + " init=" + (init.length == 0 ? "-" : HexFormat.of().formatHex(init)) + " inner=" + inner
                    + " slots=" + (m.initialSlots().isEmpty() ? "-" : m.initialSlots().entrySet().stream().map(e -> e.getKey() + ":" + e.getValue()).collect(java.util.stream.Collectors.joining(","))));
        }
        for (ProgramSpec p : o.programs()) {
            StringBuilder subs = new StringBuilder();
            for (var s : p.subprograms()) {
                subs.append(subs.length() > 0 ? "," : "").append(s.name()).append('@').append(s.start()).append('+').append(s.length());
            }
            out.add("  prog " + p.name() + " section=" + p.section() + " type=" + p.type().kernelName() + " attach="
                    + p.expectedAttachType().map(AttachType::kernelName).orElse("-") + " sleepable=" + p.sleepable()
                    + " offset=" + p.sectionOffset() + " length=" + p.length() + " subs=" + (subs.length() == 0 ? "-" : subs));
        }
        return out;
    }

    // ---- llvm-objdump cross-check ----

    record DumpInsn(int slot, String text, String relType, String relSym) {}

    record Sym(String name, String section, long value, boolean function) {}

    private static final Pattern INSN = Pattern.compile("^\\s+(\\d+):\\t(.*)$");
    private static final Pattern RELOC = Pattern.compile("^\\t\\t([0-9a-f]+):  (R_BPF_\\w+)\\t(.+)$");
    private static final Pattern SYMBOL = Pattern.compile("^([0-9a-f]{16}) (.{7}) (\\S+)\\t([0-9a-f]{16}) (.*)$");
    private static final Pattern LDDW = Pattern.compile("^r(\\d+) = (-?\\d+) ll$");
    private static final Pattern CALL = Pattern.compile("^call (-?\\d+)$");

    @ParameterizedTest
    @MethodSource("objects")
    void instructionsAgreeWithLlvmObjdump(String name, @TempDir Path dir) throws Exception {
        Path file = Corpus.file(dir, name);
        Map<String, TreeMap<Integer, DumpInsn>> dump = disassemble(file);
        Map<String, Sym> syms = symbols(file);
        BpfObject obj = loader.load(name + ".o", Corpus.object(name));
        java.util.Set<String> relocationsChecked = new java.util.HashSet<>();
        for (ProgramSpec p : obj.programs()) {
            long[] insns = p.insns();
            // (section, first section slot, first program slot, length) of the program and each sub-program
            List<Object[]> segments = new ArrayList<>();
            segments.add(new Object[] {p.section(), p.sectionOffset(), 0, p.mainLength()});
            int covered = p.mainLength();
            for (ProgramSpec.Subprogram s : p.subprograms()) {
                Sym f = syms.get(s.name());
                assertTrue(f != null && f.function() && f.section().equals(".text"), s.name() + " is a .text function");
                segments.add(new Object[] {".text", (int) (f.value() / 8), s.start(), s.length()});
                covered += s.length();
            }
            assertEquals(insns.length, covered, p.name() + ": program and sub-programs cover the instructions");
            for (Object[] seg : segments) {
                String sec = (String) seg[0];
                int secStart = (int) seg[1], progStart = (int) seg[2], len = (int) seg[3];
                TreeMap<Integer, DumpInsn> secDump = dump.get(sec);
                assertNotNull(secDump, "llvm-objdump shows section " + sec);
                assertNotNull(secDump.get(secStart), "llvm-objdump shows " + sec + " slot " + secStart);
                for (int k = 0; k < len; k++) {
                    DumpInsn d = secDump.get(secStart + k);
                    if (d == null) { // second slot of a 16-byte load
                        assertTrue(k > 0 && Opcodes.isLdImm64(Insn.code(insns[progStart + k - 1])), sec + " slot " + (secStart + k) + " is in objdump's listing");
                        continue;
                    }
                    int pc = progStart + k;
                    String where = name + " " + p.name() + " slot " + pc + " (" + sec + " slot " + (secStart + k) + ", objdump: " + d.text() + ")";
                    long w = insns[pc];
                    if (d.relType() != null) {
                        checkRelocation(obj, p, insns, pc, d, syms, where);
                        relocationsChecked.add(sec + ":" + d.slot());
                    } else if (sec.equals(".text") && Insn.code(w) == (BPF_JMP | BPF_CALL) && Insn.src(w) == BPF_PSEUDO_CALL) {
                        // a call inside .text without relocation: pc-relative in the section
                        int target = secStart + k + callImm(d, where) + 1;
                        assertEquals(subprogramStart(p, functionAt(syms, target), where) - pc - 1, Insn.imm(w), where);
                    } else {
                        assertEquals(d.text(), Disassembler.LLVM.line(insns, pc, slot -> null), where);
                    }
                }
            }
        }
        for (var sec : dump.entrySet()) {
            for (DumpInsn d : sec.getValue().values()) {
                if (d.relType() != null) {
                    assertTrue(relocationsChecked.contains(sec.getKey() + ":" + d.slot()),
                            name + ": relocation at " + sec.getKey() + " slot " + d.slot() + " (" + d.relSym() + ") is applied in some program");
                }
            }
        }
    }

    private static void checkRelocation(BpfObject obj, ProgramSpec p, long[] insns, int pc, DumpInsn d, Map<String, Sym> syms,
                                        String where) {
        long w = insns[pc];
        if (d.relType().equals("R_BPF_64_32")) {
            Sym f = syms.get(d.relSym());
            assertNotNull(f, where + ": symbol " + d.relSym());
            int target = (int) (f.value() / 8) + callImm(d, where) + 1;
            assertEquals(BPF_PSEUDO_CALL, Insn.src(w), where);
            assertEquals(subprogramStart(p, functionAt(syms, target), where) - pc - 1, Insn.imm(w), where);
            return;
        }
        assertEquals("R_BPF_64_64", d.relType(), where);
        Matcher m = LDDW.matcher(d.text());
        assertTrue(m.matches(), where + ": a 16-byte load");
        assertEquals(Integer.parseInt(m.group(1)), Insn.dst(w), where + ": destination register");
        long addend = Long.parseLong(m.group(2));
        int mapIdx = obj.mapIndex(d.relSym());
        Sym sym = syms.get(d.relSym());
        if (mapIdx >= 0 && !obj.maps().get(mapIdx).kind().globalData()) {
            assertEquals(BPF_PSEUDO_MAP_IDX, Insn.src(w), where);
            assertEquals(mapIdx, Insn.imm(w), where);
        } else if (sym != null && sym.section().equals(".text")) {
            assertEquals(BPF_PSEUDO_FUNC, Insn.src(w), where);
            int target = (int) ((sym.value() + addend) / 8);
            assertEquals(subprogramStart(p, functionAt(syms, target), where) - pc - 1, Insn.imm(w), where);
        } else {
            assertNotNull(sym, where + ": symbol " + d.relSym());
            String section = sym.section();
            int idx = -1;
            for (int i = 0; i < obj.maps().size(); i++) {
                if (obj.maps().get(i).kind().globalData() && obj.maps().get(i).section().equals(section)) idx = i;
            }
            assertTrue(idx >= 0, where + ": a global-data map for section " + section);
            assertEquals(BPF_PSEUDO_MAP_IDX_VALUE, Insn.src(w), where);
            assertEquals(idx, Insn.imm(w), where);
            assertEquals(sym.value() + addend, Insn.imm(insns[pc + 1]), where + ": offset in the value");
        }
    }

    private static int callImm(DumpInsn d, String where) {
        Matcher m = CALL.matcher(d.text());
        assertTrue(m.matches(), where + ": a call");
        return Integer.parseInt(m.group(1));
    }

    private static String functionAt(Map<String, Sym> syms, int textSlot) {
        for (Sym s : syms.values()) {
            if (s.function() && s.section().equals(".text") && s.value() == textSlot * 8L) return s.name();
        }
        throw new AssertionError("no .text function starts at slot " + textSlot);
    }

    private static int subprogramStart(ProgramSpec p, String name, String where) {
        return p.subprograms().stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(where + ": " + name + " is not appended to " + p.name())).start();
    }

    static Map<String, TreeMap<Integer, DumpInsn>> disassemble(Path file) throws IOException, InterruptedException {
        Map<String, TreeMap<Integer, DumpInsn>> out = new HashMap<>();
        TreeMap<Integer, DumpInsn> cur = null;
        DumpInsn last = null;
        for (String line : run("llvm-objdump", "-d", "-r", "--no-show-raw-insn", file.toString())) {
            if (line.startsWith("Disassembly of section ")) {
                cur = new TreeMap<>();
                out.put(line.substring("Disassembly of section ".length(), line.length() - 1), cur);
                last = null;
                continue;
            }
            Matcher r = RELOC.matcher(line);
            if (r.matches() && last != null && cur != null) {
                assertEquals(last.slot() * 8L, Long.parseLong(r.group(1), 16), "relocation line follows its instruction");
                last = new DumpInsn(last.slot(), last.text(), r.group(2), r.group(3));
                cur.put(last.slot(), last);
                continue;
            }
            Matcher m = INSN.matcher(line);
            if (m.matches() && cur != null) {
                String text = m.group(2).replaceAll(" <[^>]*>$", "");
                last = new DumpInsn(Integer.parseInt(m.group(1)), text, null, null);
                cur.put(last.slot(), last);
            }
        }
        return out;
    }

    static Map<String, Sym> symbols(Path file) throws IOException, InterruptedException {
        Map<String, Sym> out = new HashMap<>();
        for (String line : run("llvm-objdump", "-t", file.toString())) {
            Matcher m = SYMBOL.matcher(line);
            if (!m.matches()) continue;
            out.put(m.group(5), new Sym(m.group(5), m.group(3), Long.parseLong(m.group(1), 16), m.group(2).charAt(6) == 'F'));
        }
        return out;
    }

    static List<String> run(String... cmd) throws IOException, InterruptedException {
        String tool = cmd[0];
        boolean found = Stream.of(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
                .anyMatch(d -> !d.isEmpty() && Files.isExecutable(Path.of(d, tool)));
        if (!found) {
            if (System.getenv("CI") != null) fail(tool + " is not installed (Debian: apt-get install llvm)");
            Assumptions.abort(tool + " is not installed (Debian: apt-get install llvm); skipped");
        }
        Process proc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] outBytes = proc.getInputStream().readAllBytes();
        if (!proc.waitFor(60, TimeUnit.SECONDS)) {
            proc.destroyForcibly();
            fail(String.join(" ", cmd) + " did not finish in 60 s");
        }
        String text = new String(outBytes, StandardCharsets.UTF_8);
        if (proc.exitValue() != 0) fail(String.join(" ", cmd) + " failed: " + text);
        return List.of(text.split("\n"));
    }
}
