package org.obpf.api.text;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.obpf.api.insn.Insn;
import org.obpf.api.insn.InsnDecoder;
import org.obpf.api.insn.Opcodes;
import org.obpf.api.testing.Elf;
import org.obpf.api.testing.Tools;

/**
 * {@link Disassembler} against the real {@code llvm-objdump -d} (LLVM 14, Debian 12): BPF C
 * programs compiled with {@code clang -O2 -g -target bpf -mcpu=...}, every executable section,
 * line by line (instruction text and the slot number; the bytes column is ignored).
 */
class LlvmObjdumpTest {

    static final List<String> SOURCES = List.of("alu.c", "jumps.c", "memory.c", "atomics.c", "calls.c");

    @TempDir
    static Path work;

    static Path clang;
    static Path objdump;

    @BeforeAll
    static void tools() throws IOException {
        clang = Tools.tool("clang", "clang");
        objdump = Tools.tool("llvm-objdump", "llvm");
        for (String f : Stream.concat(SOURCES.stream(), Stream.of("common.h")).toList()) {
            try (InputStream in = LlvmObjdumpTest.class.getResourceAsStream("/bpf/" + f)) {
                assertNotNull(in, "test resource /bpf/" + f);
                Files.copy(in, work.resolve(f));
            }
        }
    }

    /** (source, -mcpu) pairs: the 32-bit atomics need v3 (LLVM 14 refuses them before). */
    static Stream<Arguments> objects() {
        List<Arguments> a = new ArrayList<>();
        for (String src : SOURCES) {
            for (String cpu : List.of("v1", "v2", "v3")) {
                if (src.equals("atomics.c") && !cpu.equals("v3")) continue;
                a.add(Arguments.of(src, cpu));
            }
        }
        return a.stream();
    }

    /** One instruction line of objdump: slot number and text. */
    record Line(int slot, String text) {}

    private static final Pattern INSN = Pattern.compile("^\\s*(\\d+):\\t[0-9a-f]{2}(?: [0-9a-f]{2})*\\t(.*)$");
    private static final Pattern SECTION = Pattern.compile("^Disassembly of section (.*):$");

    static Map<String, List<Line>> parseObjdump(String out) {
        Map<String, List<Line>> sections = new LinkedHashMap<>();
        List<Line> current = null;
        for (String l : out.split("\n")) {
            Matcher m = SECTION.matcher(l);
            if (m.matches()) {
                current = new ArrayList<>();
                sections.put(m.group(1), current);
                continue;
            }
            m = INSN.matcher(l);
            if (m.matches()) current.add(new Line(Integer.parseInt(m.group(1)), m.group(2)));
        }
        return sections;
    }

    @ParameterizedTest(name = "{0} -mcpu={1}")
    @MethodSource("objects")
    void printsWhatLlvmObjdumpPrints(String source, String cpu) throws Exception {
        String obj = source.replace(".c", "") + "_" + cpu + ".o";
        Tools.run(work, clang.toString(), "-O2", "-g", "-target", "bpf", "-mcpu=" + cpu, "-c", source, "-o", obj);
        Map<String, List<Line>> plain = parseObjdump(Tools.run(work, objdump.toString(), "-d", obj));
        Map<String, List<Line>> alu32 = parseObjdump(Tools.run(work, objdump.toString(), "-d", "--mattr=+alu32", obj));
        Elf elf = new Elf(Files.readAllBytes(work.resolve(obj)));

        List<String> sectionNames = elf.executableSections().stream().map(Elf.Section::name).toList();
        assertEquals(List.copyOf(plain.keySet()), sectionNames, "executable sections");
        int compared = 0;
        for (Elf.Section section : elf.executableSections()) {
            long[] prog = section.words();
            List<Line> want = plain.get(section.name());
            List<Line> wantAlu32 = alu32.get(section.name());
            assertEquals(want.size(), wantAlu32.size());
            int i = 0;
            for (int pc = 0; pc < prog.length; pc++, i++) {
                assertTrue(i < want.size(), section.name() + ": objdump has fewer instructions");
                int slot = pc;
                String where = obj + " " + section.name() + " slot " + pc;
                assertEquals(want.get(i).slot(), pc, where + ": slot numbers");
                String mine = Disassembler.LLVM.line(prog, pc, t -> elf.label(section, t));
                String mine32 = Disassembler.LLVM_ALU32.line(prog, pc, t -> elf.label(section, t));
                String tool = want.get(i).text();
                if (tool.equals("<unknown>") || isLlvm14FetchAddBug(prog[pc], tool)) {
                    // Plain LLVM 14 cannot decode this 32-bit atomic: the alu32 dialect can.
                    tool = wantAlu32.get(i).text();
                }
                assertEquals(tool, mine, where);
                assertEquals(wantAlu32.get(i).text(), mine32, where + " (--mattr=+alu32)");
                compared++;
                if (Opcodes.isLdImm64(Insn.code(prog[slot]))) pc++;
            }
            assertEquals(want.size(), i, section.name() + ": instruction count");
            // What clang emits is valid, once the loader has resolved cross-section calls.
            if (Arrays.stream(prog).noneMatch(w -> (w & 0xffff) == 0x1085)) InsnDecoder.validate(prog);
        }
        assertTrue(compared > 20, "only " + compared + " instructions");
    }

    /** Plain LLVM 14 decodes BPF_STX | BPF_ATOMIC | BPF_W with imm = BPF_ADD | BPF_FETCH as a plain add. */
    static boolean isLlvm14FetchAddBug(long word, String tool) {
        return (word & 0xff) == 0xc3 && (word >>> 32) == 0x01 && tool.startsWith("lock ");
    }

    @Test
    void everyCompiledFormAppears() throws Exception {
        // The C programs above must keep covering what they are meant to cover.
        String all = "";
        for (String src : SOURCES) {
            String obj = "cover_" + src.replace(".c", ".o");
            Tools.run(work, clang.toString(), "-O2", "-g", "-target", "bpf", "-mcpu=v3", "-c", src, "-o", obj);
            all += Tools.run(work, objdump.toString(), "-d", "--mattr=+alu32", obj);
        }
        for (String form : List.of(" ll", "call ", "exit", "goto ", "s>>=", " = -", "be64", "be32", "be16",
                "*(u8 *)skb[", "*(u16 *)skb[", "*(u32 *)skb[", "*(u8 *)skb[r", "lock *(u64 *)", "lock *(u32 *)",
                "atomic_fetch_add((u64", "atomic_fetch_or((u32", "atomic_fetch_and((u64", "atomic_fetch_xor((u32",
                "xchg_64(", "xchg32_32(", "cmpxchg_64(", "cmpxchg32_32(", "if w", "if r", " s> ", " s< ", " s>= ",
                " < ", " > ", " >= ", " == ", " != ", " /= ", " *= ", " ^= ", " |= ", " &= ",
                " <<= ", " >>= ", " -= ", " += ", "*(u16 *)(", "*(u8 *)(", "*(u64 *)(", "(r10 - ")) { // <=, s<=, jset and %= (LLVM 14 has no BPF_MOD): see LlvmObjdumpRawTest
            assertTrue(all.contains(form), "no " + form + " in the compiled test programs");
        }
    }
}
