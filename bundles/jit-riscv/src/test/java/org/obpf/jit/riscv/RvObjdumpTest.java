package org.obpf.jit.riscv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.obpf.jit.riscv.RvAsm.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every encoder of {@link RvAsm} (RV32/RV64 I, M, A, C, Zba/Zbb) with a range of registers and
 * immediates, checked instruction by instruction against GNU objdump ({@code -d -M no-aliases}):
 * the words are wrapped as {@code .insn} in an object assembled for
 * {@code rv64imac_zba_zbb} (or {@code rv32imac_zba_zbb}) so that objdump knows the extensions,
 * and objdump's text must equal the text of {@link RvDisassembler}.
 */
class RvObjdumpTest {
    static final Pattern LINE = Pattern.compile("^\\s*([0-9a-f]+):\\t([0-9a-f]+)\\s*\\t(.*)$");
    static final Reg[] REGS = {Reg.ZERO, Reg.RA, Reg.SP, Reg.T0, Reg.S0, Reg.S1, Reg.A0, Reg.A5, Reg.S2, Reg.S11, Reg.T6};
    static final Reg[] CREGS = {Reg.S0, Reg.S1, Reg.A0, Reg.A3, Reg.A5};
    static final int[] IMM12 = {0, 1, -1, 5, -100, 2047, -2048, 0x555};

    @TempDir
    Path tmp;

    record Line(long offset, String text) {}

    static String norm(String s) {
        s = s.replaceAll("\\s*#.*$", "");
        // Branch targets: objdump prints "600 <.text+0x600>", the disassembler "0x600".
        s = s.replaceAll("([\\t,])([0-9a-f]+) <[^>]*>$", "$10x$2");
        return s.strip().replaceAll("\\s+", " ");
    }

    /** Assembles {@code words} (16- or 32-bit, by their low bits) and returns objdump's lines. */
    List<Line> objdump(boolean rv64, List<Integer> words) throws Exception {
        Tools.require("riscv64-linux-gnu-as", "riscv64-linux-gnu-objdump");
        StringBuilder s = new StringBuilder();
        for (int w : words) s.append(String.format(".insn 0x%x%n", (w & 3) == 3 ? w : w & 0xffff));
        Path src = tmp.resolve("t.s");
        Path obj = tmp.resolve("t.o");
        Files.writeString(src, s);
        List<String> as = new ArrayList<>(List.of("riscv64-linux-gnu-as", "-march=" + (rv64 ? "rv64imac_zba_zbb" : "rv32imac_zba_zbb")));
        if (!rv64) as.add("-mabi=ilp32");
        as.addAll(List.of(src.toString(), "-o", obj.toString()));
        Tools.run(as);
        String out = Tools.run(List.of("riscv64-linux-gnu-objdump", "-d", "-M", "no-aliases", obj.toString()));
        List<Line> lines = new ArrayList<>();
        for (String l : out.split("\n")) {
            Matcher m = LINE.matcher(l);
            if (m.matches()) lines.add(new Line(Long.parseLong(m.group(1), 16), norm(m.group(3))));
        }
        return lines;
    }

    static byte[] bytes(List<Integer> words) {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        for (int w : words) {
            int n = (w & 3) == 3 ? 4 : 2;
            for (int i = 0; i < n; i++) b.write(w >>> (8 * i));
        }
        return b.toByteArray();
    }

    /** Compares objdump with the disassembler on {@code words}; returns the number compared. */
    int compare(boolean rv64, List<Integer> words) throws Exception {
        List<Line> expected = objdump(rv64, words);
        RvDisassembler dis = rv64 ? new Rv64Disassembler() : new Rv32Disassembler();
        List<Line> actual = new ArrayList<>();
        for (RvDisassembler.Instruction i : dis.decodeAll(bytes(words), 0)) actual.add(new Line(i.offset(), norm(i.text())));
        for (int i = 0; i < Math.min(expected.size(), actual.size()); i++) {
            assertEquals(expected.get(i), actual.get(i), "instruction " + i + " (" + Integer.toHexString(words.get(i)) + ")");
        }
        assertEquals(expected.size(), actual.size());
        assertEquals(words.size(), actual.size());
        return actual.size();
    }

    interface R3 { int f(Reg rd, Reg rs1, Reg rs2); }
    interface RI { int f(Reg rd, Reg rs1, int imm); }

    static List<Integer> base(boolean rv64) {
        List<Integer> w = new ArrayList<>();
        List<R3> r3 = new ArrayList<>(List.of(RvAsm::add, RvAsm::sub, RvAsm::sll, RvAsm::slt, RvAsm::sltu, RvAsm::xor,
                RvAsm::srl, RvAsm::sra, RvAsm::or, RvAsm::and, RvAsm::mul, RvAsm::mulhu, RvAsm::div, RvAsm::divu,
                RvAsm::rem, RvAsm::remu, RvAsm::sh1add, RvAsm::sh2add, RvAsm::sh3add, RvAsm::andn, RvAsm::orn, RvAsm::xnor));
        if (rv64) r3.addAll(List.of(RvAsm::addw, RvAsm::subw, RvAsm::sllw, RvAsm::srlw, RvAsm::sraw, RvAsm::mulw,
                RvAsm::divw, RvAsm::divuw, RvAsm::remw, RvAsm::remuw, RvAsm::add_uw));
        List<RI> ri = new ArrayList<>(List.of(RvAsm::addi, RvAsm::slti, RvAsm::sltiu, RvAsm::xori, RvAsm::ori, RvAsm::andi,
                RvAsm::lb, RvAsm::lh, RvAsm::lw, RvAsm::lbu, RvAsm::lhu, RvAsm::sb, RvAsm::sh, RvAsm::sw, RvAsm::jalr));
        if (rv64) ri.addAll(List.of(RvAsm::addiw, RvAsm::ld, RvAsm::lwu, RvAsm::sd));
        List<RI> shifts = new ArrayList<>(List.of(RvAsm::slli, RvAsm::srli, RvAsm::srai));
        if (rv64) shifts.addAll(List.of(RvAsm::slliw, RvAsm::srliw, RvAsm::sraiw));
        for (Reg d : REGS) {
            for (Reg s : REGS) {
                for (R3 f : r3) w.add(f.f(d, s, REGS[(d.ordinal() + s.ordinal()) % REGS.length]));
                for (RI f : ri) for (int imm : IMM12) w.add(f.f(d, s, imm));
                for (RI f : shifts) for (int sh : new int[] {0, 1, 12, 31}) w.add(f.f(d, s, sh));
                if (rv64) for (RI f : shifts.subList(0, 3)) w.add(f.f(d, s, 63));
                w.add(sext_b(d, s));
                w.add(sext_h(d, s));
                w.add(zext_h(rv64, d, s));
                w.add(rev8(rv64, d, s));
                for (int funct5 : new int[] {AMO_ADD, AMO_SWAP, AMO_XOR, AMO_OR, AMO_AND, AMO_SC}) {
                    for (boolean aqrl : new boolean[] {false, true}) {
                        w.add(amo(funct5, false, aqrl, d, s, REGS[(d.ordinal() + 3) % REGS.length]));
                        if (rv64) w.add(amo(funct5, true, aqrl, d, s, REGS[(s.ordinal() + 5) % REGS.length]));
                    }
                }
                w.add(lr(false, d, s, true));
                if (rv64) w.add(lr(true, d, s, false));
                // Branch targets stay inside the code so both tools print them the same way.
                for (int f3 : new int[] {BEQ, BNE, BLT, BGE, BLTU, BGEU}) {
                    w.add(branch(f3, d, s, 4094));
                    w.add(branch(f3, d, s, 8));
                }
            }
            for (int u : new int[] {0, 1, 0x12345, 0xfffff, 0x80000}) {
                w.add(lui(d, u));
                w.add(auipc(d, u));
            }
            for (int off : new int[] {0, 2, 0x7fffe, 2048, 1 << 12}) w.add(jal(d, off));
        }
        w.add(fence_rw_rw());
        w.add(ebreak());
        return w;
    }

    static List<Integer> compressed(boolean rv64) {
        List<Integer> w = new ArrayList<>();
        Reg[] full = Reg.values();
        for (Reg d : full) {
            if (d == Reg.ZERO) continue;
            for (int imm : new int[] {1, -1, 31, -32, 7}) {
                w.add(c_addi(d, imm));
                w.add(c_li(d, imm));
                if (rv64) w.add(c_addiw(d, imm));
                if (d != Reg.SP) w.add(c_lui(d, imm & 0xfffff));
            }
            if (rv64) w.add(c_addiw(d, 0));
            w.add(c_li(d, 0));
            for (int sh : new int[] {1, 7, 31}) w.add(c_slli(d, sh));
            if (rv64) w.add(c_slli(d, 63));
            for (Reg s : full) {
                if (s == Reg.ZERO) continue;
                w.add(c_mv(d, s));
                w.add(c_add(d, s));
            }
            w.add(c_jr(d));
            w.add(c_jalr(d));
            for (int off : new int[] {0, 4, 128, 252}) {
                w.add(c_lwsp(d, off));
                w.add(c_swsp(d, off));
            }
            if (rv64) for (int off : new int[] {0, 8, 256, 504}) {
                w.add(c_ldsp(d, off));
                w.add(c_sdsp(d, off));
            }
        }
        for (Reg d : Reg.values()) {
            if (!d.compressible()) continue;
            for (int sh : new int[] {1, 8, 31}) {
                w.add(c_srli(d, sh));
                w.add(c_srai(d, sh));
            }
            if (rv64) {
                w.add(c_srli(d, 32));
                w.add(c_srai(d, 63));
            }
            for (int imm : new int[] {0, 1, -1, 31, -32}) w.add(c_andi(d, imm));
            for (int imm : new int[] {4, 16, 1020}) w.add(c_addi4spn(d, imm));
            for (Reg s : Reg.values()) {
                if (!s.compressible()) continue;
                w.add(c_sub(d, s));
                w.add(c_xor(d, s));
                w.add(c_or(d, s));
                w.add(c_and(d, s));
                if (rv64) {
                    w.add(c_subw(d, s));
                    w.add(c_addw(d, s));
                }
                for (int off : new int[] {0, 4, 64, 124}) {
                    w.add(c_lw(d, s, off));
                    w.add(c_sw(d, s, off));
                }
                if (rv64) for (int off : new int[] {0, 8, 128, 248}) {
                    w.add(c_ld(d, s, off));
                    w.add(c_sd(d, s, off));
                }
            }
            for (int off : new int[] {2, 8, 254, 64}) {
                w.add(c_beqz(d, off));
                w.add(c_bnez(d, off));
            }
        }
        for (int imm : new int[] {16, -16, 496, -512, 64}) w.add(c_addi16sp(imm));
        for (int off : new int[] {2, 100, 2046, 0}) {
            w.add(c_j(off));
            if (!rv64) w.add(c_jal(off));
        }
        w.add(c_nop());
        w.add(c_ebreak());
        return w;
    }

    @Test
    void rv64BaseMAAndBitManipEncodersMatchObjdump() throws Exception {
        assertTrue(compare(true, base(true)) > 10000);
    }

    @Test
    void rv32BaseMAAndBitManipEncodersMatchObjdump() throws Exception {
        assertTrue(compare(false, base(false)) > 10000);
    }

    @Test
    void rv64CompressedEncodersMatchObjdump() throws Exception {
        assertTrue(compare(true, compressed(true)) > 2000);
    }

    @Test
    void rv32CompressedEncodersMatchObjdump() throws Exception {
        assertTrue(compare(false, compressed(false)) > 2000);
    }

    /** The instruction words of {@code code}, by length (low bits 11: 32 bits, else 16). */
    static List<Integer> words(byte[] code) {
        List<Integer> w = new ArrayList<>();
        for (int p = 0; p < code.length; ) {
            int lo = (code[p] & 0xff) | (code[p + 1] & 0xff) << 8;
            if ((lo & 3) != 3) {
                w.add(lo);
                p += 2;
            } else {
                w.add(lo | (code[p + 2] & 0xff) << 16 | (code[p + 3] & 0xff) << 24);
                p += 4;
            }
        }
        return w;
    }

    /**
     * Everything the back-ends emit for the conformance suite (the RV64 and RV32 code for every test
     * that compiles there, compressed or not, with Zba/Zbb, blinded, and on RV32 with the firmware
     * atomic calls that compile all 312), one stream per arch and mode,
     * decoded by objdump and by the disassembler alike. Also reports the share of compressed
     * instructions in the default mode.
     */
    @Test
    void everythingTheBackEndsEmitForTheSuiteMatchesObjdump() throws Exception {
        java.nio.file.Path dir = org.obpf.core.conformance.ConformanceSuite.locate(java.nio.file.Path.of("")).orElseThrow();
        var suite = org.obpf.core.conformance.ConformanceSuite.load(dir);
        var modes = java.util.Map.of(
                "compressed", org.obpf.api.jit.CompileOptions.DEFAULT,
                "uncompressed", org.obpf.api.jit.CompileOptions.DEFAULT.withCompressed(false),
                "zba+zbb, blinded", org.obpf.api.jit.CompileOptions.DEFAULT.withExtensions(java.util.Set.of("zba", "zbb")).withBlindConstants(true));
        for (boolean rv64 : new boolean[] {true, false}) {
            org.obpf.api.jit.JitBackend backend = rv64 ? new Rv64JitBackend() : new Rv32JitBackend();
            var archModes = new java.util.TreeMap<>(modes);
            if (!rv64) {
                archModes.put("firmware atomics", org.obpf.api.jit.CompileOptions.DEFAULT.withExtensions(
                        java.util.Set.of(org.obpf.api.offload.FirmwareAtomics.EXTENSION)));
            }
            for (var mode : archModes.entrySet()) {
                List<Integer> all = new ArrayList<>();
                int compiled = 0;
                for (var tc : suite.cases()) {
                    org.obpf.api.jit.RelocatableImage img;
                    try {
                        img = backend.compile(new org.obpf.api.jit.CompileRequest(tc.name(), org.obpf.api.prog.ProgramType.SOCKET_FILTER,
                                tc.program(), null, null, false, mode.getValue()));
                    } catch (org.obpf.api.jit.JitException refused) {
                        continue; // callx everywhere, 64-bit atomics on riscv32
                    }
                    compiled++;
                    all.addAll(words(img.code()));
                }
                assertTrue(compiled >= (mode.getKey().equals("firmware atomics") ? 312 : 295),
                        backend.arch() + " " + mode.getKey() + ": " + compiled + " programs");
                int n = compare(rv64, all);
                long c = all.stream().filter(w -> (w & 3) != 3).count();
                System.out.printf("%s %s: %d programs, %d instructions checked against objdump, %.1f%% compressed%n",
                        backend.arch(), mode.getKey(), compiled, n, 100.0 * c / n);
                if (mode.getKey().equals("uncompressed")) assertEquals(0, c);
                else assertTrue(c > n / 4, "compressed forms are used: " + c + " of " + n);
            }
        }
    }

    @Test
    void encodersRefuseOperandsTheFormatCannotHold() {
        for (Runnable r : List.<Runnable>of(() -> addi(Reg.A0, Reg.A0, 2048), () -> c_addi(Reg.A0, 32),
                () -> c_lw(Reg.A0, Reg.RA, 4), () -> beq(Reg.A0, Reg.A1, 3), () -> jal(Reg.RA, 1 << 20),
                () -> c_j(2048), () -> c_addi16sp(8), () -> c_lui(Reg.SP, 1), () -> c_mv(Reg.A0, Reg.ZERO))) {
            try {
                r.run();
                throw new AssertionError("accepted");
            } catch (IllegalArgumentException expected) {
                assertTrue(expected.getMessage().contains("range") || expected.getMessage().contains("not")
                        || expected.getMessage().contains("zero"), expected.getMessage());
            }
        }
    }
}
