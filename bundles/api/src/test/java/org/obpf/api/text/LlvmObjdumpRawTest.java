package org.obpf.api.text;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.obpf.api.insn.Insn;
import org.obpf.api.testing.Elf;
import org.obpf.api.testing.Tools;

/**
 * Every instruction form, written in the conformance syntax, assembled by {@link Assembler},
 * emitted as raw words ({@code .quad}) through {@code llvm-mc} and printed by {@code llvm-objdump
 * -d}: what clang 14 never emits (jset, the st immediate stores, the cpu v4 forms, every lddw
 * pseudo source) is checked here. Each row also gives {@link Disassembler}'s exact text.
 */
class LlvmObjdumpRawTest {

    /** Conformance-syntax source and the exact disassembly (without branch-target annotation). */
    static final String[][] FORMS = {
        {"add %r1, %r2", "r1 += r2"}, {"add %r1, -7", "r1 += -7"},
        {"sub %r1, %r2", "r1 -= r2"}, {"sub %r1, 2147483647", "r1 -= 2147483647"},
        {"mul %r1, %r2", "r1 *= r2"}, {"mul %r1, 3", "r1 *= 3"},
        {"div %r1, %r2", "r1 /= r2"}, {"div %r1, 3", "r1 /= 3"},
        {"or %r1, %r2", "r1 |= r2"}, {"or %r1, 0x40", "r1 |= 64"},
        {"and %r1, %r2", "r1 &= r2"}, {"and %r1, -16", "r1 &= -16"},
        {"lsh %r1, %r2", "r1 <<= r2"}, {"lsh %r1, 63", "r1 <<= 63"},
        {"rsh %r1, %r2", "r1 >>= r2"}, {"rsh %r1, 1", "r1 >>= 1"},
        {"neg %r3", "r3 = -r3"},
        {"mod %r1, %r2", "r1 %= r2"}, {"mod %r1, 10", "r1 %= 10"},
        {"xor %r1, %r2", "r1 ^= r2"}, {"xor %r1, 1", "r1 ^= 1"},
        {"mov %r1, %r2", "r1 = r2"}, {"mov %r1, -2147483648", "r1 = -2147483648"},
        {"arsh %r1, %r2", "r1 s>>= r2"}, {"arsh %r1, 5", "r1 s>>= 5"},
        {"add32 %r1, %r2", "w1 += w2"}, {"add32 %r1, 7", "w1 += 7"},
        {"sub32 %r1, %r2", "w1 -= w2"}, {"mul32 %r1, 3", "w1 *= 3"},
        {"div32 %r1, %r2", "w1 /= w2"}, {"div32 %r1, 3", "w1 /= 3"},
        {"or32 %r1, %r2", "w1 |= w2"}, {"and32 %r1, 255", "w1 &= 255"},
        {"lsh32 %r1, %r2", "w1 <<= w2"}, {"rsh32 %r1, 31", "w1 >>= 31"},
        {"neg32 %r3", "w3 = -w3"}, {"mod32 %r1, %r2", "w1 %= w2"}, {"mod32 %r1, 7", "w1 %= 7"},
        {"xor32 %r1, %r2", "w1 ^= w2"}, {"mov32 %r1, %r2", "w1 = w2"}, {"mov32 %r1, -1", "w1 = -1"},
        {"arsh32 %r1, %r2", "w1 s>>= w2"}, {"arsh32 %r1, 3", "w1 s>>= 3"},
        {"le16 %r2", "r2 = le16 r2"}, {"le32 %r2", "r2 = le32 r2"}, {"le64 %r2", "r2 = le64 r2"},
        {"be16 %r2", "r2 = be16 r2"}, {"be32 %r2", "r2 = be32 r2"}, {"be64 %r2", "r2 = be64 r2"},
        // cpu v4
        {"bswap16 %r2", "r2 = bswap16 r2"}, {"bswap32 %r2", "r2 = bswap32 r2"}, {"bswap64 %r2", "r2 = bswap64 r2"},
        {"sdiv %r1, %r2", "r1 s/= r2"}, {"sdiv %r1, -3", "r1 s/= -3"},
        {"sdiv32 %r1, %r2", "w1 s/= w2"}, {"sdiv32 %r1, 3", "w1 s/= 3"},
        {"smod %r1, %r2", "r1 s%= r2"}, {"smod %r1, 3", "r1 s%= 3"},
        {"smod32 %r1, %r2", "w1 s%= w2"}, {"smod32 %r1, -3", "w1 s%= -3"},
        {"movsx864 %r1, %r2", "r1 = (s8)r2"}, {"movsx1664 %r1, %r2", "r1 = (s16)r2"},
        {"movsx3264 %r1, %r2", "r1 = (s32)r2"}, {"movsx832 %r1, %r2", "w1 = (s8)w2"},
        {"movsx1632 %r1, %r2", "w1 = (s16)w2"},
        // memory
        {"ldxb %r1, [%r2+1]", "r1 = *(u8 *)(r2 + 1)"}, {"ldxh %r1, [%r2-2]", "r1 = *(u16 *)(r2 - 2)"},
        {"ldxw %r1, [%r2]", "r1 = *(u32 *)(r2 + 0)"}, {"ldxdw %r1, [%r10-32768]", "r1 = *(u64 *)(r10 - 32768)"},
        {"ldxsb %r1, [%r2-1]", "r1 = *(s8 *)(r2 - 1)"}, {"ldxsh %r1, [%r2+2]", "r1 = *(s16 *)(r2 + 2)"},
        {"ldxsw %r1, [%r2+32767]", "r1 = *(s32 *)(r2 + 32767)"},
        {"stb [%r10-1], 0x7f", "*(u8 *)(r10 - 1) = 127"}, {"sth [%r10-2], -1", "*(u16 *)(r10 - 2) = -1"},
        {"stw [%r10-4], 5", "*(u32 *)(r10 - 4) = 5"}, {"stdw [%r10-8], 0x11223344", "*(u64 *)(r10 - 8) = 287454020"},
        {"stxb [%r10-1], %r1", "*(u8 *)(r10 - 1) = r1"}, {"stxh [%r1+2], %r3", "*(u16 *)(r1 + 2) = r3"},
        {"stxw [%r1+4], %r3", "*(u32 *)(r1 + 4) = r3"}, {"stxdw [%r1+8], %r3", "*(u64 *)(r1 + 8) = r3"},
        {"ldabsb 1", "r0 = *(u8 *)skb[1]"}, {"ldabsh 12", "r0 = *(u16 *)skb[12]"}, {"ldabsw 26", "r0 = *(u32 *)skb[26]"},
        {"ldindb %r1, 0", "r0 = *(u8 *)skb[r1]"}, {"ldindh %r3, 14", "r0 = *(u16 *)skb[r3]"},
        {"ldindw %r7, 0", "r0 = *(u32 *)skb[r7]"},
        // atomics
        {"lock add [%r1+8], %r2", "lock *(u64 *)(r1 + 8) += r2"}, {"lock or [%r1], %r2", "lock *(u64 *)(r1 + 0) |= r2"},
        {"lock and [%r1], %r2", "lock *(u64 *)(r1 + 0) &= r2"}, {"lock xor [%r1], %r2", "lock *(u64 *)(r1 + 0) ^= r2"},
        {"lock fetch add [%r1-8], %r2", "r2 = atomic_fetch_add((u64 *)(r1 - 8), r2)"},
        {"lock fetch or [%r1], %r2", "r2 = atomic_fetch_or((u64 *)(r1 + 0), r2)"},
        {"lock fetch and [%r1], %r2", "r2 = atomic_fetch_and((u64 *)(r1 + 0), r2)"},
        {"lock fetch xor [%r1], %r2", "r2 = atomic_fetch_xor((u64 *)(r1 + 0), r2)"},
        {"lock xchg [%r1+16], %r2", "r2 = xchg_64(r1 + 16, r2)"},
        {"lock cmpxchg [%r1], %r2", "r0 = cmpxchg_64(r1 + 0, r0, r2)"},
        {"lock add32 [%r1+8], %r2", "lock *(u32 *)(r1 + 8) += r2"}, {"lock or32 [%r1], %r2", "lock *(u32 *)(r1 + 0) |= w2"},
        {"lock and32 [%r1], %r2", "lock *(u32 *)(r1 + 0) &= w2"}, {"lock xor32 [%r1], %r2", "lock *(u32 *)(r1 + 0) ^= w2"},
        {"lock fetch add32 [%r1], %r2", "w2 = atomic_fetch_add((u32 *)(r1 + 0), w2)"},
        {"lock fetch or32 [%r1], %r2", "w2 = atomic_fetch_or((u32 *)(r1 + 0), w2)"},
        {"lock fetch and32 [%r1], %r2", "w2 = atomic_fetch_and((u32 *)(r1 + 0), w2)"},
        {"lock fetch xor32 [%r1], %r2", "w2 = atomic_fetch_xor((u32 *)(r1 + 0), w2)"},
        {"lock xchg32 [%r1+4], %r2", "w2 = xchg32_32(r1 + 4, w2)"},
        {"lock cmpxchg32 [%r1], %r2", "w0 = cmpxchg32_32(r1 + 0, w0, w2)"},
        // jumps (targets stay inside the program: the table ends with enough exits)
        {"ja +1", "goto +1"}, {"ja -1", "goto -1"}, {"ja32 +2", "gotol +2"},
        {"jeq %r1, %r2, +1", "if r1 == r2 goto +1"}, {"jeq %r1, -5, +1", "if r1 == -5 goto +1"},
        {"jgt %r1, %r2, +1", "if r1 > r2 goto +1"}, {"jgt %r1, 5, +1", "if r1 > 5 goto +1"},
        {"jge %r1, %r2, +1", "if r1 >= r2 goto +1"}, {"jge %r1, 5, +1", "if r1 >= 5 goto +1"},
        {"jset %r1, %r2, +1", "if r1 & r2 goto +1"}, {"jset %r1, 0x10, +1", "if r1 & 16 goto +1"},
        {"jne %r1, %r2, +1", "if r1 != r2 goto +1"}, {"jne %r1, 0, +1", "if r1 != 0 goto +1"},
        {"jsgt %r1, %r2, +1", "if r1 s> r2 goto +1"}, {"jsgt %r1, -1, +1", "if r1 s> -1 goto +1"},
        {"jsge %r1, %r2, +1", "if r1 s>= r2 goto +1"}, {"jsge %r1, -1, +1", "if r1 s>= -1 goto +1"},
        {"jlt %r1, %r2, +1", "if r1 < r2 goto +1"}, {"jlt %r1, 9, +1", "if r1 < 9 goto +1"},
        {"jle %r1, %r2, +1", "if r1 <= r2 goto +1"}, {"jle %r1, 9, +1", "if r1 <= 9 goto +1"},
        {"jslt %r1, %r2, +1", "if r1 s< r2 goto +1"}, {"jslt %r1, -9, +1", "if r1 s< -9 goto +1"},
        {"jsle %r1, %r2, +1", "if r1 s<= r2 goto +1"}, {"jsle %r1, -9, +1", "if r1 s<= -9 goto +1"},
        {"jeq32 %r1, %r2, +1", "if w1 == w2 goto +1"}, {"jeq32 %r1, -5, +1", "if w1 == -5 goto +1"},
        {"jgt32 %r1, %r2, +1", "if w1 > w2 goto +1"}, {"jge32 %r1, 5, +1", "if w1 >= 5 goto +1"},
        {"jset32 %r1, %r2, +1", "if w1 & w2 goto +1"}, {"jset32 %r1, 3, +1", "if w1 & 3 goto +1"},
        {"jne32 %r1, 0, +1", "if w1 != 0 goto +1"}, {"jsgt32 %r1, %r2, +1", "if w1 s> w2 goto +1"},
        {"jsge32 %r1, -1, +1", "if w1 s>= -1 goto +1"}, {"jlt32 %r1, %r2, +1", "if w1 < w2 goto +1"},
        {"jle32 %r1, 9, +1", "if w1 <= 9 goto +1"}, {"jslt32 %r1, %r2, +1", "if w1 s< w2 goto +1"},
        {"jsle32 %r1, -9, +1", "if w1 s<= -9 goto +1"},
        {"call 5", "call 5"}, {"call local +1", "call 1"}, {"call local -3", "call -3"}, {"call runtime 77", "call 77"},
        {"lddw %r1, 0x123456789", "r1 = 4886718345 ll"}, {"lddw %r1, -1", "r1 = -1 ll"},
        {"exit", "exit"}, {"exit", "exit"}, {"exit", "exit"},
    };

    /**
     * What plain LLVM 14's {@code llvm-objdump -d} prints instead, where it differs: it does not
     * know these encodings ({@code <unknown>}), or it ignores the field that makes them a cpu v4
     * instruction, or it misreads a 32-bit atomic. Everything else must print exactly alike.
     */
    static final Map<String, String> LLVM14 = Map.ofEntries(
            Map.entry("mod %r1, %r2", "<unknown>"), Map.entry("mod %r1, 10", "<unknown>"),
            Map.entry("mod32 %r1, %r2", "<unknown>"), Map.entry("mod32 %r1, 7", "<unknown>"),
            Map.entry("bswap16 %r2", "<unknown>"), Map.entry("bswap32 %r2", "<unknown>"),
            Map.entry("bswap64 %r2", "<unknown>"),
            Map.entry("sdiv %r1, %r2", "r1 /= r2"), Map.entry("sdiv %r1, -3", "r1 /= -3"),
            Map.entry("sdiv32 %r1, %r2", "w1 /= w2"), Map.entry("sdiv32 %r1, 3", "w1 /= 3"),
            Map.entry("smod %r1, %r2", "<unknown>"), Map.entry("smod %r1, 3", "<unknown>"),
            Map.entry("smod32 %r1, %r2", "<unknown>"), Map.entry("smod32 %r1, -3", "<unknown>"),
            Map.entry("movsx864 %r1, %r2", "r1 = r2"), Map.entry("movsx1664 %r1, %r2", "r1 = r2"),
            Map.entry("movsx3264 %r1, %r2", "r1 = r2"), Map.entry("movsx832 %r1, %r2", "w1 = w2"),
            Map.entry("movsx1632 %r1, %r2", "w1 = w2"),
            Map.entry("ldxsb %r1, [%r2-1]", "<unknown>"), Map.entry("ldxsh %r1, [%r2+2]", "<unknown>"),
            Map.entry("ldxsw %r1, [%r2+32767]", "<unknown>"),
            Map.entry("stb [%r10-1], 0x7f", "<unknown>"), Map.entry("sth [%r10-2], -1", "<unknown>"),
            Map.entry("stw [%r10-4], 5", "<unknown>"), Map.entry("stdw [%r10-8], 0x11223344", "<unknown>"),
            Map.entry("lock or32 [%r1], %r2", "<unknown>"), Map.entry("lock and32 [%r1], %r2", "<unknown>"),
            Map.entry("lock xor32 [%r1], %r2", "<unknown>"),
            Map.entry("lock fetch add32 [%r1], %r2", "lock *(u32 *)(r1 + 0) += r2"),
            Map.entry("lock fetch or32 [%r1], %r2", "<unknown>"), Map.entry("lock fetch and32 [%r1], %r2", "<unknown>"),
            Map.entry("lock fetch xor32 [%r1], %r2", "<unknown>"), Map.entry("lock xchg32 [%r1+4], %r2", "<unknown>"),
            Map.entry("lock cmpxchg32 [%r1], %r2", "<unknown>"),
            Map.entry("ja32 +2", "<unknown>"),
            Map.entry("jset %r1, %r2, +1", "<unknown>"), Map.entry("jset %r1, 0x10, +1", "<unknown>"),
            Map.entry("jset32 %r1, %r2, +1", "<unknown>"), Map.entry("jset32 %r1, 3, +1", "<unknown>"));

    /** The lddw pseudo sources, which the conformance syntax cannot write. */
    static final long[][] PSEUDO = {
        {Insn.encode(0x18, 1, 1, 0, 4), 0}, {Insn.encode(0x18, 1, 2, 0, 4), Insn.encode(0, 0, 0, 0, 12)},
        {Insn.encode(0x18, 2, 3, 0, 7), 0}, {Insn.encode(0x18, 3, 4, 0, -2), 0},
        {Insn.encode(0x18, 4, 5, 0, 0), 0}, {Insn.encode(0x18, 5, 6, 0, 1), Insn.encode(0, 0, 0, 0, 8)},
    };
    static final String[] PSEUDO_TEXT = {
        "ld_pseudo\tr1, 1, 4", "ld_pseudo\tr1, 2, 4", "ld_pseudo\tr2, 3, 7", "ld_pseudo\tr3, 4, 4294967294",
        "ld_pseudo\tr4, 5, 0", "ld_pseudo\tr5, 6, 1",
    };

    @TempDir
    Path work;

    @Test
    void everyFormAgainstLlvmObjdump() throws Exception {
        Path mc = Tools.tool("llvm-mc", "llvm");
        Path objdump = Tools.tool("llvm-objdump", "llvm");
        StringBuilder asm = new StringBuilder();
        for (String[] f : FORMS) asm.append(f[0]).append('\n');
        long[] assembled = Assembler.assemble(asm.toString());
        List<Long> words = new ArrayList<>();
        for (long w : assembled) words.add(w);
        for (long[] p : PSEUDO) { words.add(p[0]); words.add(p[1]); }
        words.add(Insn.encode(0x95, 0, 0, 0, 0));

        StringBuilder s = new StringBuilder("\t.text\n\t.globl f\nf:\n");
        for (long w : words) s.append("\t.quad ").append(Long.toUnsignedString(w)).append('\n');
        Files.writeString(work.resolve("forms.s"), s);
        Tools.run(work, mc.toString(), "-triple", "bpfel", "-filetype=obj", "forms.s", "-o", "forms.o");
        List<LlvmObjdumpTest.Line> plain = LlvmObjdumpTest.parseObjdump(Tools.run(work, objdump.toString(), "-d", "forms.o")).get(".text");
        List<LlvmObjdumpTest.Line> alu32 = LlvmObjdumpTest.parseObjdump(
                Tools.run(work, objdump.toString(), "-d", "--mattr=+alu32", "forms.o")).get(".text");
        Elf elf = new Elf(Files.readAllBytes(work.resolve("forms.o")));
        Elf.Section text = elf.executableSections().get(0);
        long[] prog = text.words();
        assertArrayEquals(words.stream().mapToLong(Long::longValue).toArray(), prog);

        int row = 0;
        int pc = 0;
        int differences = 0;
        for (; row < FORMS.length + PSEUDO.length + 1; row++) {
            String source = row < FORMS.length ? FORMS[row][0] : "raw lddw";
            String expected = row < FORMS.length ? FORMS[row][1]
                    : row < FORMS.length + PSEUDO.length ? PSEUDO_TEXT[row - FORMS.length] : "exit";
            String where = "row " + row + " (" + source + ") slot " + pc;
            assertEquals(expected, Disassembler.format(prog, pc), where);
            String mine = Disassembler.LLVM.line(prog, pc, t -> elf.label(text, t));
            String mine32 = Disassembler.LLVM_ALU32.line(prog, pc, t -> elf.label(text, t));
            String tool = plain.get(row).text();
            assertEquals(pc, plain.get(row).slot(), where);
            String llvm14 = row < FORMS.length ? LLVM14.get(source) : null;
            if (llvm14 == null) {
                assertEquals(tool, mine, where);
            } else {
                differences++;
                assertEquals(llvm14, tool.replaceAll(" <f\\+0x[0-9a-f]+>$", ""), where + ": LLVM 14's known difference");
            }
            // --mattr=+alu32 names sub-registers in narrow loads and stores and decodes the 32-bit
            // atomics; it must match wherever plain LLVM 14 matches, and on every 32-bit atomic.
            if (llvm14 == null || source.startsWith("lock") && source.contains("32 [")) {
                assertEquals(alu32.get(row).text(), mine32, where + " (--mattr=+alu32)");
            }
            pc += (prog[pc] & 0xff) == 0x18 ? 2 : 1;
        }
        assertEquals(prog.length, pc);
        assertEquals(plain.size(), row);
        assertEquals(LLVM14.size(), differences);
    }
}
