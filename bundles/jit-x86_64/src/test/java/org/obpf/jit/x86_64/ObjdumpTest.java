package org.obpf.jit.x86_64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.obpf.api.jit.CompileOptions;
import org.obpf.api.jit.CompileRequest;
import org.obpf.api.jit.code.CodeBuffer;
import org.obpf.api.jit.code.Label;
import org.obpf.api.prog.ProgramType;
import org.obpf.core.conformance.ConformanceSuite;

/**
 * The disassembler against GNU objdump ({@code objdump -D -b binary -m i386:x86-64 -M intel}),
 * instruction by instruction (offset and text, white space normalised): every encoder of
 * {@link X86Asm} with every register and a range of displacements and immediates, and the
 * complete output of the back-end for the conformance suite in every mode.
 */
class ObjdumpTest {
    static final Pattern LINE = Pattern.compile("^\\s*([0-9a-f]+):\\t([0-9a-f ]+?)\\s*\\t(.*)$");
    static final int[] DISPS = {0, 8, -8, 127, -128, 0x200, -0x200};
    static final int[] IMMS = {0, 1, -1, 0x7f, -0x80, 0x100, 0x12345678, Integer.MIN_VALUE};

    @TempDir
    Path tmp;

    final X86Disassembler dis = new X86Disassembler();

    record Line(int offset, String text) {}

    List<Line> objdump(byte[] code) throws IOException, InterruptedException {
        Path bin = tmp.resolve("code.bin");
        Files.write(bin, code);
        Process p;
        try {
            p = new ProcessBuilder("objdump", "-D", "-b", "binary", "-m", "i386:x86-64", "-M", "intel", bin.toString())
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            Assumptions.abort("objdump is not installed: " + e.getMessage());
            throw e;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.getInputStream().transferTo(out);
        assertEquals(0, p.waitFor());
        List<Line> lines = new ArrayList<>();
        for (String l : out.toString(StandardCharsets.UTF_8).split("\n")) {
            Matcher m = LINE.matcher(l);
            if (m.matches()) lines.add(new Line(Integer.parseInt(m.group(1), 16), norm(m.group(3))));
        }
        return lines;
    }

    static String norm(String s) {
        return s.strip().replaceAll("\\s+", " ");
    }

    /** Compares; returns the number of instructions checked. */
    int compare(byte[] code, List<Integer> imageStarts) throws Exception {
        List<Line> expected = objdump(code);
        List<Line> actual = new ArrayList<>();
        for (int k = 0; k < imageStarts.size(); k++) {
            int s = imageStarts.get(k);
            int e = k + 1 < imageStarts.size() ? imageStarts.get(k + 1) : code.length;
            byte[] part = java.util.Arrays.copyOfRange(code, s, e);
            for (X86Disassembler.Instruction i : dis.decodeAll(part, s)) actual.add(new Line(s + i.offset(), norm(i.text())));
        }
        for (int i = 0; i < Math.min(expected.size(), actual.size()); i++) {
            assertEquals(expected.get(i), actual.get(i), "instruction " + i);
        }
        assertEquals(expected.size(), actual.size());
        return actual.size();
    }

    @Test
    void everyEncoderFormMatchesObjdump() throws Exception {
        CodeBuffer b = new CodeBuffer();
        X86Asm a = new X86Asm(b);
        Reg[] regs = Reg.values();
        int[] aluOps = {X86Asm.ADD, X86Asm.OR, X86Asm.AND, X86Asm.SUB, X86Asm.XOR, X86Asm.CMP, X86Asm.TEST, X86Asm.MOV};
        int[] exts = {X86Asm.EXT_ADD, X86Asm.EXT_OR, X86Asm.EXT_AND, X86Asm.EXT_SUB, X86Asm.EXT_XOR, X86Asm.EXT_CMP};
        int[] shifts = {X86Asm.SHL, X86Asm.SHR, X86Asm.SAR, X86Asm.ROR};
        for (Reg d : regs) {
            a.push(d);
            a.pop(d);
            a.callR(d);
            a.jmpR(d);
            for (boolean w : new boolean[] {true, false}) {
                for (Reg s : regs) {
                    for (int op : aluOps) a.aluRR(op, w, d, s);
                    a.imulRR(w, d, s);
                    a.imulRRI(w, d, s, 5);
                    a.imulRRI(w, d, s, -1000);
                    a.movsxRR(w, 8, d, s);
                    a.movsxRR(w, 16, d, s);
                    if (w) a.movsxRR(true, 32, d, s);
                }
                for (int ext : exts) for (int imm : IMMS) a.aluRI(ext, w, d, imm);
                for (int sh : shifts) {
                    a.shiftRI(sh, w, d, 5);
                    a.shiftRI(sh, w, d, 63);
                    a.shiftRCl(sh, w, d);
                }
                a.testRI(w, d, 0x100);
                a.testRI(w, d, -2);
                a.neg(w, d);
                a.div(w, false, d);
                a.div(w, true, d);
                a.bswap(w, d);
                a.cqo(w);
            }
            for (Reg s : regs) {
                a.movzxRR(8, d, s);
                a.movzxRR(16, d, s);
            }
            a.ror16(d, 8);
            a.movRI32(d, 0x12345678);
            a.movRI32(d, -1);
            a.movRI64sx(d, -5);
            a.movabs(d, 0x1122334455667788L);
            a.loadImm64(d, 0);
            a.loadImm64(d, 0xffffffffL);
            a.loadImm64(d, -7);
            // memory forms, d as the base
            for (int disp : DISPS) {
                for (Reg s : regs) {
                    for (int bytes : new int[] {1, 2, 4, 8}) {
                        a.load(bytes, s, d, disp);
                        a.store(bytes, d, disp, s);
                        if (bytes < 8) a.loadSx(bytes, s, d, disp);
                    }
                    for (boolean w : new boolean[] {true, false}) {
                        for (int op : new int[] {X86Asm.ADD, X86Asm.OR, X86Asm.AND, X86Asm.XOR}) a.aluMR(true, op, w, d, disp, s);
                        a.aluMR(false, X86Asm.MOV, w, d, disp, s);
                        a.aluRM(X86Asm.MOV, w, s, d, disp);
                        a.aluRM(X86Asm.CMP, w, s, d, disp);
                        a.aluRM(X86Asm.ADD, w, s, d, disp);
                        a.lockXadd(w, d, disp, s);
                        a.xchg(w, d, disp, s);
                        a.lockCmpxchg(w, d, disp, s);
                    }
                    a.lea(s, d, disp);
                }
                for (int bytes : new int[] {1, 2, 4, 8}) a.storeImm(bytes, d, disp, 0x11223344);
                a.storeImm(8, d, disp, -3);
                for (boolean w : new boolean[] {true, false}) {
                    a.aluMI(X86Asm.EXT_CMP, w, d, disp, 0);
                    a.aluMI(X86Asm.EXT_CMP, w, d, disp, 0x1000);
                }
                a.incDec(true, d, disp);
                a.incDec(false, d, disp);
            }
        }
        // branches: short and near, backward and forward
        Label back = b.newLabel();
        b.bind(back);
        a.ret();
        for (int cc = 0; cc < 16; cc++) a.jcc(cc, back);
        a.jmp(back);
        a.call(back);
        Label fwd = b.newLabel();
        for (int cc = 0; cc < 16; cc++) a.jcc(cc, fwd);
        a.jmp(fwd);
        a.call(fwd);
        a.jmpNear(back);
        a.jmpNear(fwd);
        for (Reg d : regs) a.leaRip(d, back);
        for (Reg d : regs) a.leaRip(d, fwd);
        for (int i = 0; i < 300; i++) a.ret();
        b.bind(fwd);
        for (int cc = 0; cc < 16; cc++) a.jcc(cc, back);
        a.ret();
        b.finish();
        int n = compare(b.bytes(), List.of(0));
        assertTrue(n > 30000, n + " instructions");
    }

    @Test
    void theBackEndsOutputForTheWholeSuiteMatchesObjdump() throws Exception {
        ConformanceSuite suite = ConformanceSuite.load(ConformanceSuite.locate(Path.of("")).orElseThrow());
        X86_64JitBackend jit = new X86_64JitBackend();
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        List<Integer> starts = new ArrayList<>();
        List<CompileOptions> modes = List.of(CompileOptions.DEFAULT, CompileOptions.DEFAULT.withSandbox(true),
                CompileOptions.DEFAULT.withBlindConstants(true), CompileOptions.DEFAULT.withBlindConstants(true).withSandbox(true));
        List<long[]> programs = new ArrayList<>();
        for (var tc : suite.cases()) if (!tc.name().equals("callx.data")) programs.add(tc.program());
        SplittableRandom rnd = new SplittableRandom(7);
        for (int i = 0; i < 200; i++) programs.add(DifferentialTest.generate(rnd));
        programs.add(X86JitBackendTest.RELOCATED);
        // callbacks: callback entries, the trampoline, lea rip
        for (String text : List.of(X86CallbackTest.LOOP.replace("N", "3"), X86CallbackTest.NESTED, X86CallbackTest.FAULT)) {
            programs.add(X86CallbackTest.asm(text));
        }
        for (long[] prog : programs) {
            for (CompileOptions o : modes) {
                starts.add(all.size());
                all.writeBytes(jit.compile(new CompileRequest("t", ProgramType.SOCKET_FILTER, prog, null, null, false, o)).code());
            }
        }
        int n = compare(all.toByteArray(), starts);
        assertTrue(n > 100000, n + " instructions");
    }

    @Test
    void jitedListingGroupsTheCodeByBpfInstruction() throws Exception {
        // r0 = 1; call 6 (helper, relocated); call local f; r6 = 0; r7 = 0; r8 = 0; r9 = 0; exit;
        // f: r0 = 2; exit. The main program writes r6..r9 and saves them; f saves none.
        long[] prog = {
            org.obpf.api.insn.Insn.encode(0xb7, 0, 0, 0, 1),
            org.obpf.api.insn.Insn.encode(0x85, 0, 0, 0, 6),
            org.obpf.api.insn.Insn.encode(0x85, 0, 1, 0, 5),
            org.obpf.api.insn.Insn.encode(0xb7, 6, 0, 0, 0),
            org.obpf.api.insn.Insn.encode(0xb7, 7, 0, 0, 0),
            org.obpf.api.insn.Insn.encode(0xb7, 8, 0, 0, 0),
            org.obpf.api.insn.Insn.encode(0xb7, 9, 0, 0, 0),
            org.obpf.api.insn.Insn.encode(0x95, 0, 0, 0, 0),
            org.obpf.api.insn.Insn.encode(0xb7, 0, 0, 0, 2),
            org.obpf.api.insn.Insn.encode(0x95, 0, 0, 0, 0),
        };
        var img = new X86_64JitBackend().compile(new CompileRequest("t", ProgramType.SOCKET_FILTER, prog, null, null, false, CompileOptions.DEFAULT));
        List<String> l = dis.listing(img, 0);
        assertEquals("; entry", l.getFirst());
        int i0 = l.indexOf("; insn 0");
        assertEquals("b8 01 00 00 00\tmov eax,0x1", l.get(i0 + 1).substring(l.get(i0 + 1).indexOf('\t') + 1).replaceAll(" +\t", "\t"));
        int i1 = l.indexOf("; insn 1");
        assertTrue(l.get(i1 + 1).matches(".*\\te8 [0-9a-f ]+\\tcall 0x[0-9a-f]+"), l.get(i1 + 1));
        // the helper's thunk, out of line
        int thunk = l.indexOf("; out of line") + 1;
        while (!l.get(thunk).endsWith("movabs r11,0x0")) thunk++;
        assertTrue(l.get(thunk - 1).endsWith("push rax"), l.get(thunk - 1));
        assertTrue(l.get(thunk + 1).endsWith("call r11"), l.get(thunk + 1));
        assertTrue(l.contains("; R_X86_64_64 helper#6"), l.toString());
        int exit = l.indexOf("; insn 7");
        assertEquals(List.of("pop r15", "pop r14", "pop r13", "pop rbx", "pop rbp", "ret"),
                l.subList(exit + 1, exit + 7).stream().map(x -> x.substring(x.lastIndexOf('\t') + 1)).toList(), "exit owns the epilogue");
        int sub = l.indexOf("<subprog 1>:");
        assertEquals(exit + 7, sub);
        // f uses no r10 and calls nothing: no frame, so its prologue is empty and its entry is insn 8's code
        assertEquals("; prologue", l.get(sub + 1));
        assertTrue(l.get(sub + 2).endsWith("mov eax,0x2"), l.get(sub + 2));
        assertEquals("; insn 9", l.get(sub + 3));
        assertTrue(l.get(sub + 4).endsWith("ret"), l.get(sub + 4));
    }

    @Test
    void listingShowsAddressBytesAndText() {
        byte[] code = {0x55, 0x48, (byte) 0x89, (byte) 0xe5, (byte) 0xeb, (byte) 0xfe, (byte) 0xc3};
        assertEquals(List.of(
                "    1000:\t55                   \tpush rbp",
                "    1001:\t48 89 e5             \tmov rbp,rsp",
                "    1004:\teb fe                \tjmp 0x1004",
                "    1006:\tc3                   \tret"), dis.disassemble(code, 0x1000));
    }
}
