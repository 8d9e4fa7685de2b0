package org.obpf.jit.riscv;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.obpf.api.insn.Opcodes.*;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.obpf.api.insn.Insn;
import org.obpf.api.jit.CompileOptions;
import org.obpf.api.jit.CompileRequest;
import org.obpf.api.jit.JitBackend;
import org.obpf.api.jit.LinkedImage;
import org.obpf.api.jit.RelocatableImage;
import org.obpf.api.jit.Symbol;
import org.obpf.api.jit.SymbolTable;
import org.obpf.api.jit.code.HostAbi;
import org.obpf.api.prog.ProgramType;

/**
 * The image as an ELF relocatable object for both widths: {@code riscv64-linux-gnu-objdump -dr}
 * decodes it with its relocations and symbols; GNU ld links it with a freestanding C harness
 * built by {@code riscv64-linux-gnu-gcc} (helper, map value, run context), the executable runs
 * under QEMU with the expected result, and the bytes ld put at {@code bpf_prog} are exactly the
 * bytes {@link JitBackend#link} produces for the same addresses.
 */
class RvElfObjectWriterTest {
    @TempDir
    Path tmp;

    // r6 = r1; r7 = map_value#0 + 8; r1 = *r7; r2 = *r6; r3..r5 = 3, 4, 5; call 6; r8 = r0; call f;
    // *(r6 + 8) = r0; exit. f: r0 = r8; r0 += 1000; exit
    static final long[] PROGRAM = {
        Insn.encode(BPF_ALU64 | BPF_MOV | BPF_X, 6, 1, 0, 0),
        Insn.encode(BPF_LD | BPF_IMM | BPF_DW, 7, BPF_PSEUDO_MAP_IDX_VALUE, 0, 0), Insn.encode(0, 0, 0, 0, 8),
        Insn.encode(BPF_LDX | BPF_MEM | BPF_DW, 1, 7, 0, 0),
        Insn.encode(BPF_LDX | BPF_MEM | BPF_DW, 2, 6, 0, 0),
        Insn.encode(BPF_ALU64 | BPF_MOV | BPF_K, 3, 0, 0, 3),
        Insn.encode(BPF_ALU64 | BPF_MOV | BPF_K, 4, 0, 0, 4),
        Insn.encode(BPF_ALU64 | BPF_MOV | BPF_K, 5, 0, 0, 5),
        Insn.encode(BPF_JMP | BPF_CALL, 0, 0, 0, 6),
        Insn.encode(BPF_ALU64 | BPF_MOV | BPF_X, 8, 0, 0, 0),
        Insn.encode(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, 2),
        Insn.encode(BPF_STX | BPF_MEM | BPF_DW, 6, 0, 8, 0),
        Insn.encode(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
        Insn.encode(BPF_ALU64 | BPF_MOV | BPF_X, 0, 8, 0, 0),
        Insn.encode(BPF_ALU64 | BPF_ADD | BPF_K, 0, 0, 0, 1000),
        Insn.encode(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
    };

    static String harness() {
        return """
                typedef unsigned long long u64;
                typedef unsigned long ulong;
                extern u64 bpf_prog(ulong r1, ulong r2, void *run);
                u64 bpf_helper_6(u64 r1, u64 r2, u64 r3, u64 r4, u64 r5) { return r1 * 2 + r2 + r3 * 100 + r4 * 1000 + r5 * 10000; }
                u64 bpf_map_value_0[2] = {0, 21};
                static u64 stack[%d / 8];
                static u64 run[%d / 8];
                static u64 mem[2] = {5, 0};
                static void sys_exit(long code) {
                    register long a0 __asm__("a0") = code;
                    register long a7 __asm__("a7") = 93;
                    __asm__ volatile("ecall" : : "r"(a0), "r"(a7));
                    for (;;) { }
                }
                void hmain(void) {
                    run[%d / 8] = (ulong) (stack + sizeof stack / 8);
                    u64 r0 = bpf_prog((ulong) mem, sizeof mem, run);
                    unsigned error = ((unsigned *) run)[%d / 4];
                    /* 0: the exact result in r0 and in mem[1]; else what went wrong */
                    sys_exit(error ? 254 : r0 != mem[1] ? 255 : r0 == 55347 ? 0 : 1 + (long) (r0 & 0x7f));
                }
                __asm__(".globl _start\\n_start:\\n  andi sp, sp, -16\\n  call hmain\\n");
                """.formatted(HostAbi.MAX_CALL_FRAMES * HostAbi.STACK_FRAME, HostAbi.CONTEXT_SIZE, HostAbi.STACK_TOP, HostAbi.ERROR);
    }

    static Stream<Arguments> targets() {
        List<Arguments> a = new ArrayList<>();
        for (boolean rv64 : new boolean[] {true, false}) {
            a.add(Arguments.of(rv64, CompileOptions.DEFAULT));
            a.add(Arguments.of(rv64, CompileOptions.DEFAULT.withCompressed(false)));
            a.add(Arguments.of(rv64, CompileOptions.DEFAULT.withExtensions(Set.of("zbb"))));
        }
        return a.stream();
    }

    record Run(int exit, String out) {}

    Run exec(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(tmp.toFile()).redirectErrorStream(true).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.getInputStream().transferTo(out);
        return new Run(p.waitFor(), out.toString(StandardCharsets.UTF_8));
    }

    String ok(String... cmd) throws Exception {
        Run r = exec(cmd);
        assertEquals(0, r.exit, String.join(" ", cmd) + ":\n" + r.out);
        return r.out;
    }

    @ParameterizedTest(name = "rv64={0} {1}")
    @MethodSource("targets")
    void objdumpDecodesItAndGnuLdLinksItAsLinkDoes(boolean rv64, CompileOptions options) throws Exception {
        String arch = rv64 ? "riscv64" : "riscv32";
        Tools.require("riscv64-linux-gnu-gcc", "riscv64-linux-gnu-ld", "riscv64-linux-gnu-objdump", "riscv64-linux-gnu-nm",
                "riscv64-linux-gnu-objcopy", "qemu-" + arch);
        JitBackend backend = rv64 ? new Rv64JitBackend() : new Rv32JitBackend();
        RvObjectWriter writer = rv64 ? new Rv64ObjectWriter() : new Rv32ObjectWriter();
        RelocatableImage img = backend.compile(new CompileRequest("t", ProgramType.SOCKET_FILTER, PROGRAM, null, null, false, options));
        Files.write(tmp.resolve("prog.o"), writer.write(img, "bpf_prog"));

        String d = ok("riscv64-linux-gnu-objdump", "-dr", "-M", "no-aliases", "prog.o");
        assertTrue(d.contains("file format elf" + (rv64 ? "64" : "32") + "-littleriscv"), d);
        assertTrue(d.contains("<bpf_prog>:"), d);
        assertTrue(d.contains("<bpf_prog_subprog_1>:"), d);
        int[] at = img.insnOffsets();
        assertTrue(d.contains(String.format("%x: R_RISCV_PCREL_HI20\tbpf_map_value_0+0x8", at[1])), d);
        assertTrue(d.contains(String.format("%x: R_RISCV_PCREL_LO12_I\t.Lpcrel_hi%d", at[1] + 4, at[1])), d);
        assertTrue(d.contains(String.format("%x: R_RISCV_CALL\tbpf_helper_6", at[8])), d);
        assertTrue(!d.contains(".word") && !d.contains("unknown"), d);
        String syms = ok("riscv64-linux-gnu-objdump", "-t", "prog.o");
        assertTrue(syms.matches("(?s).*g +F \\.text\\t[0-9a-f]+ bpf_prog\\n.*"), syms);
        assertTrue(syms.matches("(?s).*\\*UND\\*\\t0+ bpf_helper_6\\n.*"), syms);

        // What dump jited shows: the code under each BPF instruction, the sub-program, the relocations.
        List<String> listing = (rv64 ? new Rv64Disassembler() : new Rv32Disassembler()).listing(img, 0);
        String text = String.join("\n", listing);
        for (String line : List.of("; entry", "; insn 0", "; insn 8", "<subprog 1>:", "; prologue",
                "; R_RISCV_PCREL_HI20 map_value#0+0x8", "; R_RISCV_PCREL_LO12_I image+0x" + Integer.toHexString(at[1]),
                "; R_RISCV_CALL helper#6")) {
            assertTrue(listing.contains(line), line + " missing from\n" + text);
        }
        assertTrue(listing.stream().anyMatch(l -> l.matches(" *[0-9a-f]+:\t[0-9a-f]{8} +\tauipc\ts?[a-z0-9]+,0x0")), text);

        // Linked by GNU ld with a C harness, run under QEMU: the helper gets five 64-bit arguments (the
        // fifth on the stack on riscv32): r0 = 21 * 2 + 5 + 300 + 4000 + 50000 + 1000 = 55347, stored to mem[1] too.
        Files.writeString(tmp.resolve("harness.c"), harness());
        ok("riscv64-linux-gnu-gcc", "-O2", "-ffreestanding", "-nostdlib", "-mno-relax", "-fno-pic",
                "-march=" + (rv64 ? "rv64imac" : "rv32imac"), "-mabi=" + (rv64 ? "lp64" : "ilp32"), "-c", "harness.c", "-o", "harness.o");
        ok("riscv64-linux-gnu-ld", "-m", rv64 ? "elf64lriscv" : "elf32lriscv", "-static", "--no-relax", "-o", "prog", "prog.o", "harness.o");
        assertEquals(0, exec("qemu-" + arch, "./prog").exit);

        // The bytes ld wrote at bpf_prog (first in .text) are link()'s for the same addresses.
        Map<String, Long> nm = new HashMap<>();
        for (String l : ok("riscv64-linux-gnu-nm", "prog").split("\n")) {
            String[] w = l.trim().split("\\s+");
            if (w.length == 3) nm.put(w[2], Long.parseUnsignedLong(w[0], 16));
        }
        ok("riscv64-linux-gnu-objcopy", "-O", "binary", "--only-section=.text", "prog", "text.bin");
        byte[] byLd = Arrays.copyOf(Files.readAllBytes(tmp.resolve("text.bin")), img.size());
        LinkedImage byLink = backend.link(img, SymbolTable.at(nm.get("bpf_prog"))
                .bind(Symbol.helper(6), nm.get("bpf_helper_6")).bind(Symbol.mapValue(0), nm.get("bpf_map_value_0")).build());
        assertArrayEquals(byLd, byLink.code());
    }
}
