package org.obpf.jit.x86_64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.obpf.api.insn.Opcodes.*;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.obpf.api.insn.Insn;
import org.obpf.api.jit.CompileOptions;
import org.obpf.api.jit.CompileRequest;
import org.obpf.api.jit.RelocatableImage;
import org.obpf.api.jit.Symbol;
import org.obpf.api.jit.code.HostAbi;
import org.obpf.api.prog.ProgramType;
import org.obpf.core.exec.HelperStubs;
import org.obpf.core.exec.JitProgram;

/**
 * The image as an ELF relocatable object: {@code objdump -dr} decodes it with its relocations,
 * and gcc links it with a C harness that provides the helper, the map value and the run context;
 * the linked program gives the same result as the same image linked and run in-process.
 */
class ElfObjectWriterTest {
    @TempDir
    Path tmp;

    // r6 = r1; r7 = map_value#0 + 8; r1 = *r7; r2 = *r6; call 6 (twice); r8 = r0; call f; *(r6 + 8) = r0; exit
    // f: r0 = r8; r0 += 1000; exit
    static final long[] PROGRAM = {
        Insn.encode(BPF_ALU64 | BPF_MOV | BPF_X, 6, 1, 0, 0),
        Insn.encode(BPF_LD | BPF_IMM | BPF_DW, 7, BPF_PSEUDO_MAP_IDX_VALUE, 0, 0), Insn.encode(0, 0, 0, 0, 8),
        Insn.encode(BPF_LDX | BPF_MEM | BPF_DW, 1, 7, 0, 0),
        Insn.encode(BPF_LDX | BPF_MEM | BPF_DW, 2, 6, 0, 0),
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
                #include <stdint.h>
                #include <stdio.h>
                #include <string.h>
                #define CONTEXT_SIZE %d
                #define STACK_TOP %d
                #define ERROR %d
                #define ERROR_INSN %d
                #define REGION_COUNT %d
                #define REGIONS %d
                #define REGION_SIZE %d
                #define STACK_BYTES %d
                extern int64_t bpf_prog(int64_t r1, int64_t r2, void *run);
                int64_t bpf_helper_6(int64_t r1, int64_t r2, int64_t r3, int64_t r4, int64_t r5) { return r1 * 2 + r2; }
                uint64_t bpf_map_value_0[2] = {0, 21};
                static uint64_t stack[STACK_BYTES / 8] __attribute__((aligned(16)));
                static unsigned char run[CONTEXT_SIZE] __attribute__((aligned(16)));
                static void region(int i, void *start, uint64_t len, int writable) {
                    uint64_t *e = (uint64_t *)(run + REGIONS + i * REGION_SIZE);
                    e[0] = (uint64_t)start; e[1] = (uint64_t)start + len; e[2] = writable;
                }
                int main(int argc, char **argv) {
                    uint64_t mem[2] = {5, 0};
                    memset(run, 0, sizeof run);
                    *(uint64_t *)(run + STACK_TOP) = (uint64_t)(stack + STACK_BYTES / 8);
                    region(0, mem, argc > 1 ? 8 : sizeof mem, 1);  /* an argument: too short, the store is refused */
                    region(1, bpf_map_value_0, sizeof bpf_map_value_0, 0);
                    *(uint32_t *)(run + REGION_COUNT) = 2;
                    int64_t r0 = bpf_prog((int64_t)mem, sizeof mem, run);
                    uint32_t error = *(uint32_t *)(run + ERROR);
                    if (error) printf("error=%%u insn=%%u mem1=%%llu\\n", error, *(uint32_t *)(run + ERROR_INSN), (unsigned long long)mem[1]);
                    else printf("r0=%%lld mem1=%%llu\\n", (long long)r0, (unsigned long long)mem[1]);
                    return 0;
                }
                """.formatted(HostAbi.CONTEXT_SIZE, HostAbi.STACK_TOP, HostAbi.ERROR, HostAbi.ERROR_INSN,
                HostAbi.REGION_COUNT, HostAbi.REGIONS, HostAbi.REGION_SIZE, HostAbi.MAX_CALL_FRAMES * HostAbi.STACK_FRAME);
    }

    static String exec(Path dir, String... cmd) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            Assumptions.abort(cmd[0] + " is not installed: " + e.getMessage());
            throw e;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.getInputStream().transferTo(out);
        String s = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", cmd) + ":\n" + s);
        return s;
    }

    RelocatableImage compile(CompileOptions o) throws Exception {
        return new X86_64JitBackend().compile(new CompileRequest("t", ProgramType.SOCKET_FILTER, PROGRAM, null, null, false, o));
    }

    @Test
    void objdumpDecodesTheObjectWithItsRelocationsAndSymbols() throws Exception {
        RelocatableImage img = compile(CompileOptions.DEFAULT);
        Path o = tmp.resolve("prog.o");
        Files.write(o, new ElfObjectWriter().write(img, "bpf_prog"));
        String d = exec(tmp, "objdump", "-dr", "-M", "intel", "prog.o");
        assertTrue(d.contains("file format elf64-x86-64"), d);
        assertTrue(d.contains("<bpf_prog>:"), d);
        assertTrue(d.contains("<bpf_prog_subprog_1>:"), d);
        int[] at = img.insnOffsets();
        assertTrue(d.contains(String.format("%x: R_X86_64_64\tbpf_map_value_0+0x8", at[1] + 2)), d);
        assertTrue(d.contains(String.format("%x: R_X86_64_64\tbpf_helper_6", X86JitBackendTest.helperThunk(img.code(), at[5]) + 3)), d);
        String syms = exec(tmp, "objdump", "-t", "prog.o");
        assertTrue(syms.matches("(?s).*g +F \\.text\\t[0-9a-f]+ bpf_prog\\n.*"), syms);
        assertTrue(syms.matches("(?s).*\\*UND\\*\\t0+ bpf_helper_6\\n.*"), syms);
        String rel = exec(tmp, "readelf", "-r", "prog.o");
        assertEquals(2, rel.lines().filter(l -> l.contains("R_X86_64_64")).count(), rel);
    }

    @Test
    void gccLinksTheObjectWithACHarnessAndItRuns() throws Exception {
        Files.writeString(tmp.resolve("harness.c"), harness());
        for (CompileOptions o : List.of(CompileOptions.DEFAULT, CompileOptions.DEFAULT.withSandbox(true),
                CompileOptions.DEFAULT.withBlindConstants(true).withSandbox(true))) {
            RelocatableImage img = compile(o);
            Files.write(tmp.resolve("prog.o"), new ElfObjectWriter().write(img, "bpf_prog"));
            exec(tmp, "gcc", "-no-pie", "-O1", "-o", "prog", "harness.c", "prog.o");
            assertEquals("r0=1047 mem1=1047\n", exec(tmp, "./prog"));
            // The same image in-process.
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment value = arena.allocate(16, 8);
                value.set(ValueLayout.JAVA_LONG, 8, 21);
                MemorySegment mem = arena.allocate(16, 8);
                mem.set(ValueLayout.JAVA_LONG, 0, 5);
                try (JitProgram p = JitProgram.load(new X86_64JitBackend(), img, new HelperStubs(X86JitBackendTest.HELPERS),
                        Map.of(Symbol.mapValue(0), value.address()), null)) {
                    p.allow(value, false);
                    assertEquals(1047, p.run(mem));
                    assertEquals(1047, mem.get(ValueLayout.JAVA_LONG, 8));
                }
            }
            if (o.sandbox()) {
                // Context region of 8 bytes: the store to mem[1] (insn 8) ends the run with EFAULT.
                assertEquals("error=14 insn=8 mem1=0\n", exec(tmp, "./prog", "short"));
            }
        }
    }
}
