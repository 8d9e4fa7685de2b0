package org.obpf.jit.nfp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.obpf.api.insn.Opcodes.*;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.obpf.api.insn.Insn;
import org.obpf.api.jit.CompileRequest;
import org.obpf.api.jit.Feature;
import org.obpf.api.jit.JitBackend;
import org.obpf.api.jit.JitException;
import org.obpf.api.jit.LinkException;
import org.obpf.api.jit.LinkedImage;
import org.obpf.api.jit.Refusal;
import org.obpf.api.jit.RelocatableImage;
import org.obpf.api.jit.Relocation;
import org.obpf.api.jit.Symbol;
import org.obpf.api.jit.SymbolTable;
import org.obpf.api.prog.ProgramType;
import org.obpf.api.text.Assembler;
import org.obpf.jit.nfp.NfpAsm.Relo;

/**
 * The translator's output instruction by instruction (as disassembly, against the sequences of
 * the kernel's jit.c), what it refuses and why, and linking at different load bases.
 */
class NfpJitBackendTest {
    final NfpJitBackend jit = new NfpJitBackend();

    static long[] asm(String source) {
        try {
            return Assembler.assemble(source);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static long ins(int code, int dst, int src, int off, int imm) {
        return Insn.encode(code, dst, src, off, imm);
    }

    RelocatableImage compile(ProgramType type, long[] insns, int stack) throws JitException {
        return jit.compile(new CompileRequest("t", type, insns, null, new int[] {stack}, false, null));
    }

    /** The disassembly (text only) of the code of BPF instruction {@code pc}. */
    List<String> code(ProgramType type, long[] insns, int stack, int pc) throws JitException {
        RelocatableImage img = compile(type, insns, stack);
        int[] off = img.insnOffsets();
        byte[] c = Arrays.copyOfRange(img.code(), off[pc], off[pc + 1]);
        List<String> out = new ArrayList<>();
        for (String l : new NfpDisassembler().disassemble(c, off[pc])) out.add(l.split("\t")[2]); // address, word, text[, relocation]
        return out;
    }

    List<String> xdp(String src, int pc) throws JitException {
        return code(ProgramType.XDP, asm(src), 64, pc);
    }

    @Test
    void capabilitiesAreTheKernelsNfpOffload() {
        var caps = jit.capabilities();
        assertEquals(Set.of(ProgramType.XDP, ProgramType.SCHED_CLS), caps.programTypes());
        assertEquals(Set.of(1, 2, 3, 7, 25, 44, 65), caps.helpers());
        assertFalse(caps.anyHelper());
        for (Feature f : List.of(Feature.SDIV, Feature.MOVSX, Feature.BSWAP, Feature.GOTOL, Feature.LDSX,
                Feature.ATOMIC_FETCH, Feature.CMPXCHG, Feature.TAIL_CALL, Feature.BPF_TO_BPF_CALL, Feature.KFUNC_CALL)) {
            assertFalse(caps.supports(f), f.name());
        }
        assertEquals("nfp", jit.arch());
        assertFalse(jit.needsZext());
        assertEquals(List.of("insn 0: signed division and modulo (cpu v4) not supported by nfp", "insn 1: helper 5 is not available on nfp"),
                caps.refusals("nfp", ProgramType.XDP, asm("sdiv %r0, 2\ncall 5\nexit")).stream().map(Refusal::detail).toList());
    }

    @Test
    void wholeImageOfTheSmallestXdpProgram() throws JitException {
        RelocatableImage img = compile(ProgramType.XDP, asm("mov %r0, 2\nexit"), 0);
        List<String> lines = new NfpDisassembler().listing(img, 0);
        assertEquals(List.of(
                "; entry",
                "       0:\t000000f003f05bff\timmed[b22, 0x3fff]",
                "       8:\t000000b441605a20\talu[b22, b22, AND, *l$index1[0]]",
                "; insn 0",
                "      10:\t000002f0000c0800\timmed[ab0, 0x2]",
                "      18:\t000002f0000c0001\timmed[ab1, 0x0]",
                "; insn 1",
                "      20:\t020001dea6008038\tbr[.15000]\t; RELO_BR_GO_OUT",
                "; RELO_BR_GO_OUT image+0x40",
                "; out of line",
                "      28:\t060001dea6208038\tbr[.15000], defer[2]\t; RELO_BR_NEXT_PKT",
                "      30:\t000000a0000c0000\talu[a0, --, B, 0x0]",
                "      38:\t000000c10c048a00\tld_field[a0, 1100, 0x82, <<16]",
                "      40:\t000000aab0000303\talu[--, 0x3, -, b0]",
                "      48:\t010000d801408125\tblo[.5]\t; RELO_BR_REL",
                "      50:\t000000f002200b82\timmed[b2, 0x2282]",
                "      58:\t000000f444400b11\timmed_w[b2, 0x4411, <<16]",
                "      60:\t00000081d0100200\talu_shf[a1, --, B, b0, <<3]",
                "      68:\t000000aa300c0001\talu[--, a1, OR, 0x0]",
                "      70:\t00000094002409ff\talu_shf[b2, 0xff, AND, b2, >>indirect]",
                "      78:\t060001dea6208038\tbr[.15000], defer[2]\t; RELO_BR_NEXT_PKT",
                "      80:\t000000a0000c0000\talu[a0, --, B, 0x0]",
                "      88:\t000000c10c000a00\tld_field[a0, 1100, b2, <<16]",
                "      90:\t000000f0000c0300\tnop",
                "      98:\t000000f0000c0300\tnop",
                "      a0:\t000000f0000c0300\tnop",
                "      a8:\t000000f0000c0300\tnop",
                "      b0:\t000000f0000c0300\tnop",
                "      b8:\t000000f0000c0300\tnop",
                "      c0:\t000000f0000c0300\tnop",
                "      c8:\t000000f0000c0300\tnop",
                "; RELO_BR_NEXT_PKT nfp_next_packet",
                "; RELO_BR_REL image+0x28",
                "; RELO_BR_NEXT_PKT nfp_next_packet"), lines);
        assertArrayEquals(new int[] {0x10, 0x20, 0x28}, img.insnOffsets());
        assertArrayEquals(new int[] {0}, img.subprogOffsets());
        assertEquals(4, img.relocations().size());
    }

    @Test
    void tcOutroMapsTheActionThroughTheFirmwareTable() throws JitException {
        RelocatableImage img = compile(ProgramType.SCHED_CLS, asm("mov %r0, 2\nexit"), 0);
        List<String> text = new NfpDisassembler().listing(img, 0);
        assertTrue(text.contains("      38:\t000000c10c00c600\tld_field[a0, 1100, 0x11, <<16]"), text.toString());
        assertTrue(text.contains("      40:\t000000aab0000307\talu[--, 0x7, -, b0]"), text.toString());
        assertTrue(text.contains("      58:\t000000f001200b11\timmed[b2, 0x1211]"), text.toString());
        assertTrue(text.contains("      60:\t000000f444100b22\timmed_w[b2, 0x4122, <<16]"), text.toString());
    }

    @Test
    void alu64AndAlu32() throws JitException {
        assertEquals(List.of("alu[ab2, a2, +, b4]", "alu[ab3, a3, +carry, b5]"), xdp("add %r1, %r2\nexit", 0));
        assertEquals(List.of("alu[ab2, a2, -, 0x5]", "alu[ab3, a3, -carry, 0x0]"), xdp("sub %r1, 5\nexit", 0));
        assertEquals(List.of("immed[b21, ~0x3]", "alu[ab2, a2, +, b21]", "immed[b21, ~0x0]", "alu[ab3, a3, +carry, b21]"),
                xdp("add %r1, -4\nexit", 0));
        assertEquals(List.of("alu[ab2, 0x0, -, b2]", "alu[ab3, 0x0, -carry, b3]"), xdp("neg %r1\nexit", 0));
        assertEquals(List.of("alu[ab2, a2, AND, b4]", "alu[ab3, a3, AND, b5]"), xdp("and %r1, %r2\nexit", 0));
        // and with -1 is nothing, or with 0 is nothing, xor with -1 is not
        assertEquals(List.of(), xdp("and %r1, -1\nexit", 0));
        assertEquals(List.of(), xdp("or %r1, 0\nexit", 0));
        assertEquals(List.of("alu[ab2, --, ~B, b2]", "alu[ab3, --, ~B, b3]"), xdp("xor %r1, -1\nexit", 0));
        assertEquals(List.of("immed[ab2, 0x0]", "immed[ab3, 0x0]"), xdp("and %r1, 0\nexit", 0));
        assertEquals(List.of("immed[b21, 0x1234]", "alu[ab2, a2, OR, b21]"), xdp("or %r1, 0x1234\nexit", 0).subList(0, 2));
        // moves: a 32-bit value that does not pack takes two immeds; a sign-extended negative fills the high word
        assertEquals(List.of("immed[ab2, 0x5678]", "immed_w[ab2, 0x1234, <<16]", "immed[ab3, 0x0]"), xdp("mov %r1, 0x12345678\nexit", 0));
        assertEquals(List.of("immed[ab2, ~0x0]", "immed[ab3, ~0x0]"), xdp("mov %r1, -1\nexit", 0));
        assertEquals(List.of("immed[ab2, 0x1200, <<8]", "immed[ab3, 0x0]"), xdp("mov %r1, 0x120000\nexit", 0));
        assertEquals(List.of("alu[ab2, --, B, b4]", "alu[ab3, --, B, b5]"), xdp("mov %r1, %r2\nexit", 0));
        // 32-bit operations clear the high word
        assertEquals(List.of("alu[ab2, a2, XOR, b4]", "immed[ab3, 0x0]"), xdp("xor32 %r1, %r2\nexit", 0));
        assertEquals(List.of("alu[ab2, --, B, b4]", "immed[ab3, 0x0]"), xdp("mov32 %r1, %r2\nexit", 0));
        assertEquals(List.of("alu[ab2, 0x0, -, b2]", "immed[ab3, 0x0]"), xdp("neg32 %r1\nexit", 0));
        assertEquals(List.of("alu[ab2, a2, +, 0x7]", "immed[ab3, 0x0]"), xdp("add32 %r1, 7\nexit", 0));
        // r10 is never a register: the stack base in local memory plus the frame size
        assertEquals(List.of("alu[ab2, a22, +, 0x40]", "immed[ab3, 0x0]"), xdp("mov %r1, %r10\nexit", 0));
    }

    @Test
    void shiftsByImmediateAndByRegister() throws JitException {
        assertEquals(List.of("alu_shf[ab3, a3, B, b2, >>dbl28]", "alu_shf[ab2, --, B, b2, <<4]"), xdp("lsh %r1, 4\nexit", 0));
        assertEquals(List.of("alu[ab3, --, B, b2]", "immed[ab2, 0x0]"), xdp("lsh %r1, 32\nexit", 0));
        assertEquals(List.of("alu_shf[ab3, --, B, b2, <<8]", "immed[ab2, 0x0]"), xdp("lsh %r1, 40\nexit", 0));
        assertEquals(List.of("alu_shf[ab2, a3, B, b2, >>dbl4]", "alu_shf[ab3, --, B, b3, >>4]"), xdp("rsh %r1, 4\nexit", 0));
        assertEquals(List.of("alu_shf[ab2, --, B, b3, >>8]", "immed[ab3, 0x0]"), xdp("rsh %r1, 40\nexit", 0));
        assertEquals(List.of("alu_shf[ab2, a3, B, b2, >>dbl4]", "alu[--, a3, OR, 0x0]", "alu_shf[ab3, --, ASHR, b3, >>4]"),
                xdp("arsh %r1, 4\nexit", 0));
        assertEquals(List.of("alu[ab2, --, B, b3]", "alu_shf[ab3, --, ASHR, b3, >>31]"), xdp("arsh %r1, 32\nexit", 0));
        assertEquals(List.of(), xdp("lsh %r1, 0\nexit", 0));
        assertEquals(List.of("alu_shf[ab2, --, B, b2, <<5]", "immed[ab3, 0x0]"), xdp("lsh32 %r1, 5\nexit", 0));
        assertEquals(List.of("alu[--, a2, OR, 0x0]", "alu_shf[ab2, --, ASHR, b2, >>5]", "immed[ab3, 0x0]"), xdp("arsh32 %r1, 5\nexit", 0));
        assertEquals(List.of("alu[--, a4, OR, 0x0]", "alu_shf[ab2, --, B, b2, >>indirect]", "immed[ab3, 0x0]"), xdp("rsh32 %r1, %r2\nexit", 0));
        assertEquals(List.of("alu[--, a4, OR, b2]", "alu_shf[ab2, --, ASHR, b2, >>indirect]", "immed[ab3, 0x0]"), xdp("arsh32 %r1, %r2\nexit", 0));
        // 64-bit by register: bit 5 of the amount picks the sequence at run time (instruction 0 is at word 2)
        assertEquals(List.of("br_bset[a4, 5, .9]", "alu[ab21, 0x20, -, b4]", "alu[--, a21, OR, 0x0]",
                "alu_shf[ab3, a3, B, b2, >>dbl_indirect]", "br[.12], defer[2]", "alu[--, a4, OR, 0x0]",
                "alu_shf[ab2, --, B, b2, <<indirect]", "alu[--, a4, OR, 0x0]", "alu_shf[ab3, --, B, b2, <<indirect]",
                "immed[ab2, 0x0]"), xdp("lsh %r1, %r2\nexit", 0));
        assertEquals(List.of("br_bset[a4, 5, .8]", "alu[--, a4, OR, 0x0]", "alu_shf[ab2, a3, B, b2, >>dbl_indirect]",
                "br[.11], defer[2]", "alu[--, a4, OR, 0x0]", "alu_shf[ab3, --, B, b3, >>indirect]",
                "alu[--, a4, OR, 0x0]", "alu_shf[ab2, --, B, b3, >>indirect]", "immed[ab3, 0x0]"), xdp("rsh %r1, %r2\nexit", 0));
        assertEquals(List.of("br_bset[a4, 5, .8]", "alu[--, a4, OR, 0x0]", "alu_shf[ab2, a3, B, b2, >>dbl_indirect]",
                "br[.11], defer[2]", "alu[--, a4, OR, b3]", "alu_shf[ab3, --, ASHR, b3, >>indirect]",
                "alu[--, a4, OR, b3]", "alu_shf[ab2, --, ASHR, b3, >>indirect]", "alu_shf[ab3, --, ASHR, b3, >>31]"),
                xdp("arsh %r1, %r2\nexit", 0));
    }

    @Test
    void multiplyAndByteSwap() throws JitException {
        assertEquals(List.of("mul_step[a2, b4], start", "mul_step[a2, b4], 32x32_step_1", "mul_step[a2, b4], 32x32_step_2",
                "mul_step[a2, b4], 32x32_step_3", "mul_step[a2, b4], 32x32_step_4", "mul_step[ab2, --], 32x32_last",
                "immed[ab3, 0x0]"), xdp("mul32 %r1, %r2\nexit", 0));
        assertEquals("mul_step[a2, 0x9], start", xdp("mul32 %r1, 9\nexit", 0).getFirst());
        assertEquals(List.of("ld_field[ab2, 1001, b2, >>rot8]", "ld_field[ab2, 1110, a2, >>16]", "immed[ab3, 0x0]"), xdp("be16 %r1\nexit", 0));
        assertEquals(List.of("ld_field[ab2, 1111, a2, >>rot8]", "ld_field[ab2, 0101, a2, >>rot16]", "immed[ab3, 0x0]"), xdp("be32 %r1\nexit", 0));
        assertEquals(List.of("alu[a21, --, B, b3]", "ld_field[ab3, 1111, a2, >>rot8]", "ld_field[ab3, 0101, a3, >>rot16]",
                "ld_field[ab2, 1111, a21, >>rot8]", "ld_field[ab2, 0101, a2, >>rot16]"), xdp("be64 %r1\nexit", 0));
    }

    @Test
    void jumps() throws JitException {
        // instruction 2 (the exit) starts at word 2 + the jump's code
        assertEquals(List.of("alu[--, a2, -, 0x5]", "alu[--, a3, -carry, 0x0]", "bhs[.7]"), xdp("jge %r1, 5, +1\nmov %r0, 0\nexit", 0));
        assertEquals(List.of("alu[--, 0x5, -, a2]", "alu[--, 0x0, -carry, a3]", "blo[.7]"), xdp("jgt %r1, 5, +1\nmov %r0, 0\nexit", 0));
        assertEquals(List.of("alu[--, a4, -, b2]", "alu[--, a5, -carry, b3]", "blt[.7]"), xdp("jsgt %r1, %r2, +1\nmov %r0, 0\nexit", 0));
        assertEquals(List.of("alu[--, a2, -, b4]", "bge[.6]"), xdp("jsge32 %r1, %r2, +1\nmov %r0, 0\nexit", 0));
        assertEquals(List.of("alu[a21, a2, XOR, 0x7]", "alu[--, a21, OR, b3]", "beq[.7]"), xdp("jeq %r1, 7, +1\nmov %r0, 0\nexit", 0));
        assertEquals(List.of("alu[--, a2, OR, b3]", "beq[.6]"), xdp("jeq %r1, 0, +1\nmov %r0, 0\nexit", 0));
        assertEquals(List.of("alu[a21, a2, XOR, b4]", "alu[b21, a3, XOR, b5]", "alu[--, a21, OR, b21]", "beq[.8]"),
                xdp("jeq %r1, %r2, +1\nmov %r0, 0\nexit", 0));
        assertEquals(List.of("alu[--, a2, XOR, 0x7]", "bne[.8]", "alu[--, a3, XOR, 0x0]", "bne[.8]"), xdp("jne %r1, 7, +1\nmov %r0, 0\nexit", 0));
        assertEquals(List.of("alu[--, a2, OR, b3]", "bne[.6]"), xdp("jne %r1, 0, +1\nmov %r0, 0\nexit", 0));
        assertEquals(List.of("alu[--, a2, AND, 0x8]", "bne[.6]"), xdp("jset %r1, 8, +1\nmov %r0, 0\nexit", 0));
        assertEquals(List.of(), xdp("jset %r1, 0, +1\nmov %r0, 0\nexit", 0));
        assertEquals(List.of("alu[--, a2, XOR, 0x7]", "beq[.6]"), xdp("jeq32 %r1, 7, +1\nmov %r0, 0\nexit", 0));
        // the skipped instruction is unreachable and gets no code, as after the kernel verifier's dead code removal
        assertEquals(List.of("br[.3]"), xdp("ja +1\nmov %r0, 0\nexit", 0));
        // backward
        assertEquals(List.of("alu[ab2, a2, -, 0x1]", "alu[ab3, a3, -carry, 0x0]"), xdp("l:\nsub %r1, 1\njne %r1, 0, l\nexit", 0));
        assertEquals(List.of("alu[--, a2, OR, b3]", "bne[.2]"), xdp("l:\nsub %r1, 1\njne %r1, 0, l\nexit", 1));
        assertEquals(List.of("br[.15000]"), xdp("exit", 0));
    }

    @Test
    void packetContextAndStack() throws JitException {
        String prog = """
                ldxw %r2, [%r1+0]
                ldxw %r3, [%r1+4]
                ldxh %r4, [%r2+12]
                ldxdw %r5, [%r2+200]
                stxb [%r2+1], %r4
                stxdw [%r2+2], %r5
                stxdw [%r10-8], %r5
                ldxw %r6, [%r10-6]
                ldxb %r7, [%r10-100]
                stxh [%r10-60], %r7
                mov %r0, 2
                exit
                """;
        ProgramType x = ProgramType.XDP;
        long[] p = asm(prog);
        assertEquals(List.of("alu[ab4, --, B, *l$index1[2]]", "immed[ab5, 0x0]"), code(x, p, 128, 0));
        assertEquals(List.of("alu[ab6, b22, +, *l$index1[2]]", "immed[ab7, 0x0]"), code(x, p, 128, 1));
        assertEquals(List.of("mem[read32_swap, $xfer_0, a4, 0xc, 1], ctx_swap", "ld_field_w_clr[ab8, 0011, $xfer_0]", "immed[ab9, 0x0]"), code(x, p, 128, 2));
        assertEquals(List.of("immed[b21, 0xc8]", "mem[read32_swap, $xfer_0, a4, b21, 2], ctx_swap", "alu[ab10, --, B, $xfer_0]",
                "alu[ab11, --, B, $xfer_1]"), code(x, p, 128, 3));
        assertEquals(List.of("alu[$xfer_0, --, B, a8]", "mem[write8_swap, $xfer_0, a4, 0x1, 1], ctx_swap"), code(x, p, 128, 4));
        assertEquals(List.of("alu[$xfer_0, --, B, a10]", "alu[$xfer_1, --, B, a11]", "mem[write8_swap, $xfer_0, a4, 0x2, 8], ctx_swap"), code(x, p, 128, 5));
        // frame of 128 bytes: fp-8 is local memory byte 120, above the 64 bytes LM index 0 reaches: LM index 3 on the 32-byte window
        assertEquals(List.of("alu[b21, a22, +, 0x60]", "local_csr_wr[ActLMAddr3, b21]", "nop", "nop", "nop",
                "alu[*l$index3[6], --, B, b10]", "alu[*l$index3[7], --, B, b11]"), code(x, p, 128, 6));
        // fp-6, 4 bytes: two halves of two words, the high word cleared in a delay slot
        assertEquals(List.of("alu[b21, a22, +, 0x60]", "local_csr_wr[ActLMAddr3, b21]", "nop", "nop", "immed[ab13, 0x0]",
                "ld_field_w_clr[ab12, 0011, *l$index3[6], >>16]", "ld_field[ab12, 1100, *l$index3[7], <<16]"), code(x, p, 128, 7));
        // fp-100 is byte 28: LM index 0 directly
        assertEquals(List.of("immed[ab15, 0x0]", "ld_field_w_clr[ab14, 0001, *l$index0[7]]"), code(x, p, 128, 8));
        // fp-60 is byte 68, half a word, crossing into the window at 64
        assertEquals(List.of("alu[b21, a22, +, 0x40]", "local_csr_wr[ActLMAddr3, b21]", "nop", "nop", "nop",
                "ld_field[*l$index3[1], 0011, b14]"), code(x, p, 128, 9));
        // __sk_buff: len, data, data_end
        long[] skb = asm("ldxw %r2, [%r1+0]\nldxw %r3, [%r1+76]\nldxw %r4, [%r1+80]\nmov %r0, 2\nexit");
        assertEquals(List.of("alu[ab4, --, B, b22]", "immed[ab5, 0x0]"), code(ProgramType.SCHED_CLS, skb, 0, 0));
        assertEquals(List.of("alu[ab6, --, B, *l$index1[2]]", "immed[ab7, 0x0]"), code(ProgramType.SCHED_CLS, skb, 0, 1));
        assertEquals(List.of("alu[ab8, b22, +, *l$index1[2]]", "immed[ab9, 0x0]"), code(ProgramType.SCHED_CLS, skb, 0, 2));
        // legacy packet loads in tc: bounds check against the packet length, then big-endian bytes into r0
        long[] ld = asm("ldabsh 12\nldindb %r6, 14\nmov %r0, 2\nexit");
        assertEquals(List.of("alu[--, b22, -, 0xe]", "blo[.15000]", "mem[read8, $xfer_0, *l$index1[2], 0xc, 4], ctx_swap",
                "alu_shf[ab0, --, B, $xfer_0, >>16]", "immed[ab1, 0x0]"), code(ProgramType.SCHED_CLS, ld, 0, 0));
        assertEquals(List.of("alu[ab21, a12, +, 0xe]", "alu[a21, a21, +, 0x1]", "alu[--, b22, -, a21]", "blo[.15000]",
                "mem[read8, $xfer_0, *l$index1[2], b21, 4], ctx_swap", "alu_shf[ab0, --, B, $xfer_0, >>24]", "immed[ab1, 0x0]"),
                code(ProgramType.SCHED_CLS, ld, 0, 1));
    }

    static long[] mapProgram(int func) {
        return new long[] {
            ins(BPF_ALU64 | BPF_MOV | BPF_K, 3, 0, 0, 0),
            ins(BPF_STX | BPF_MEM | BPF_DW, 10, 3, -8, 0),
            ins(BPF_ALU64 | BPF_MOV | BPF_X, 2, 10, 0, 0),
            ins(BPF_ALU64 | BPF_ADD | BPF_K, 2, 0, 0, -8),
            ins(BPF_ALU64 | BPF_MOV | BPF_X, 3, 2, 0, 0),
            ins(BPF_LD | BPF_IMM | BPF_DW, 1, BPF_PSEUDO_MAP_IDX, 0, 3), 0,
            ins(BPF_JMP | BPF_CALL, 0, 0, 0, func),
            ins(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 2),
            ins(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)};
    }

    @Test
    void helperCallsThroughFirmwareRoutines() throws JitException {
        // the map id is an immediate relocated against the map; the call a relocated branch with the return address in B0
        assertEquals(List.of("immed[ab2, 0x3]", "immed[ab3, 0x0]"), code(ProgramType.XDP, mapProgram(1), 8, 5));
        // key at the bottom of the stack: LM0 already points there
        assertEquals(List.of("br[.15001], defer[2]", "alu[a0, --, B, a2]", "immed[b0, 0x13]"), code(ProgramType.XDP, mapProgram(1), 8, 7));
        // key elsewhere: LM0 is moved to it and back
        assertEquals(List.of("local_csr_wr[ActLMAddr0, b4]", "local_csr_wr[ActLMAddr2, b6]", "br[.15002], defer[2]",
                "alu[a0, --, B, a2]", "immed[b0, 0x15]", "local_csr_wr[ActLMAddr0, a22]", "nop", "nop", "nop"),
                code(ProgramType.XDP, mapProgram(2), 16, 7));
        RelocatableImage img = compile(ProgramType.XDP, mapProgram(3), 8);
        assertTrue(img.relocations().stream().anyMatch(r -> r.typeName().equals("RELO_BR_HELPER") && r.symbol().equals(Symbol.helper(3))));
        assertTrue(img.relocations().stream().anyMatch(r -> r.typeName().equals("RELO_IMMED_ABS") && r.symbol().equals(Symbol.map(3))));
        assertTrue(img.relocations().stream().anyMatch(r -> r.typeName().equals("RELO_IMMED_REL") && r.addend() == 8 * 0x13));

        assertEquals(List.of("local_csr_rd[PseudoRandNum]", "immed[ab0, 0x0]", "immed[ab1, 0x0]"), xdp("call 7\nexit", 0));
        long[] perf = asm("mov %r3, 0xffffffff\nmov %r4, %r10\nadd %r4, -8\nstxdw [%r10-8], %r3\ncall 25\nexit");
        assertEquals(List.of("br[.15025], defer[2]", "alu[a1, --, B, 0x6]", "immed[b0, 0xf]"), code(ProgramType.XDP, perf, 8, 4));
        List<String> head = xdp("mov %r2, -4\ncall 44\nexit", 1);
        assertEquals(16, head.size());
        assertEquals(List.of("alu[a21, a4, +16, *l$index1[2]]", "alu[--, a21, -, 0x20]", "blo[.18]", "alu[--, 0xe0, -, a21]", "blo[.18]"),
                head.subList(0, 5));
        assertEquals(List.of("immed[ab0, ~0x15]", "immed[ab1, ~0x0]"), head.subList(14, 16));
        List<String> tail = xdp("mov %r2, -4\ncall 65\nexit", 1);
        assertEquals(List.of("alu[a21, b22, +, a4]", "blo[.13]", "alu[--, a21, -, 0xe]", "bmi[.13]", "alu[b22, b22, +, a4]",
                "alu[*l$index1[0], *l$index1[0], +, a4]", "br[.15], defer[2]", "immed[ab0, 0x0]", "immed[ab1, 0x0]",
                "immed[ab0, ~0x15]", "immed[ab1, ~0x0]"), tail);
        // rx queue selection through the context
        assertEquals(List.of("alu[--, a4, AND~, 0xff]", "beq[.7], defer[2]", "alu_shf[*l$index1[4], *l$index1[4], OR, 0x1, <<4]",
                "ld_field[*l$index1[6], 0001, b4]", "ld_field[*l$index1[6], 0001, 0x40]"), xdp("stxw [%r1+16], %r2\nmov %r0, 2\nexit", 0));
    }

    @Test
    void atomicAddToAMapValue() throws JitException {
        long[] p = {
            ins(BPF_ALU64 | BPF_MOV | BPF_K, 3, 0, 0, 0),
            ins(BPF_STX | BPF_MEM | BPF_DW, 10, 3, -8, 0),
            ins(BPF_ALU64 | BPF_MOV | BPF_X, 2, 10, 0, 0),
            ins(BPF_ALU64 | BPF_ADD | BPF_K, 2, 0, 0, -8),
            ins(BPF_LD | BPF_IMM | BPF_DW, 1, BPF_PSEUDO_MAP_IDX, 0, 0), 0,
            ins(BPF_JMP | BPF_CALL, 0, 0, 0, 1),
            ins(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 2, 0),
            ins(BPF_ALU64 | BPF_MOV | BPF_K, 1, 0, 0, 1),
            ins(BPF_STX | BPF_ATOMIC | BPF_DW, 0, 1, 8, BPF_ADD),
            ins(BPF_LDX | BPF_MEM | BPF_W, 3, 0, 4, 0),
            ins(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 2),
            ins(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)};
        List<String> add = code(ProgramType.XDP, p, 8, 9);
        assertEquals(13, add.size());
        assertEquals(List.of("immed[a21, 0xffff]", "alu[--, a21, -, b2]", "alu[--, 0x0, -carry, b3]"), add.subList(0, 3));
        assertTrue(add.get(3).startsWith("blo[") && add.get(3).endsWith("defer[2]"), add.get(3));
        assertEquals("mem[atomic_add_imm, $xfer_0, a20, b20, 1, 40b_ba], no_signal, indirect_ref", add.get(8));
        assertEquals("mem[atomic_add, $xfer_0, a20, b20, 5, 40b_ba], ctx_swap, defer[2]", add.get(10));
        // a map value is a 40-bit address in the register pair: the offset is added with carry
        assertEquals(List.of("alu[a21, a0, +, 0x4]", "alu[b21, b1, +carry, 0x0]", "mem[read32_swap, $xfer_0, a21, b21, 1, 40b_ba], ctx_swap",
                "alu[ab6, --, B, $xfer_0]", "immed[ab7, 0x0]"), code(ProgramType.XDP, p, 8, 10));
    }

    @Test
    void reciprocalsAreTheKernels() {
        // reciprocal_value_adv(d, 32): multiplier, post shift, ceil(log2 d), 33-bit multiplier
        assertEquals(new Codegen.Reciprocal(0xaaaaaaabL, 1, 2, false), Codegen.reciprocalValueAdv(3, 32));
        assertEquals(new Codegen.Reciprocal(0xcccccccdL, 3, 4, false), Codegen.reciprocalValueAdv(10, 32));
        assertEquals(new Codegen.Reciprocal(0x24924925L, 3, 3, true), Codegen.reciprocalValueAdv(7, 32));
        // the translator's three paths give n / d for every dividend tried, modelled word by word
        long[] divisors = {1, 2, 3, 5, 6, 7, 10, 12, 14, 25, 100, 641, 1000, 65537, 0x12345, 0x7ffffffeL, 0x7fffffffL};
        java.util.Random rnd = new java.util.Random(9);
        for (long d : divisors) {
            for (int k = 0; k < 2000; k++) {
                long n = k < 8 ? new long[] {0, 1, d - 1, d, d + 1, 0xffffffffL, 0xfffffffeL, 0x80000000L}[k] & 0xffffffffL
                        : rnd.nextInt() & 0xffffffffL;
                assertEquals(Long.divideUnsigned(n, d), modelDiv(n, d), n + " / " + d);
            }
        }
    }

    /** The arithmetic of Codegen.divImm on 32-bit words: shifts, the product's high word, the wide fix-up. */
    static long modelDiv(long n, long d) {
        Codegen.Reciprocal r = Codegen.reciprocalValueAdv(d, 32);
        int exp = r.exp(), pre = 0;
        if (r.wideM() && (d & 1) == 0) {
            pre = Long.numberOfTrailingZeros(d);
            r = Codegen.reciprocalValueAdv(d >>> pre, 32 - pre);
        }
        if (d == 1L << exp) return n >>> exp;
        if (r.wideM()) {
            long hi = (n * r.m()) >>> 32;
            long t = ((n - hi) & 0xffffffffL) >>> 1;
            return ((t + hi) & 0xffffffffL) >>> (r.sh() - 1);
        }
        long x = n >>> pre;
        return ((x * r.m()) >>> 32) >>> r.sh();
    }

    @Test
    void sixtyFourBitMultiplyAndDivideOfValuesKnownToFit32Bits() throws JitException {
        // a 32-bit load and a 32-bit result: both below 2^32, so the 64-bit product is the full 32x32 product
        String prog = "ldxw %r2, [%r10-4]\nmov32 %r3, %r2\nmul %r2, %r3\ndiv %r3, 10\nmov %r0, 2\nexit";
        assertEquals(List.of("mul_step[a4, b6], start", "mul_step[a4, b6], 32x32_step_1", "mul_step[a4, b6], 32x32_step_2",
                "mul_step[a4, b6], 32x32_step_3", "mul_step[a4, b6], 32x32_step_4", "mul_step[ab4, --], 32x32_last",
                "mul_step[ab5, --], 32x32_last_2"), code(ProgramType.XDP, asm(prog), 8, 2));
        assertEquals("alu_shf[ab6, --, B, b6, >>3]", code(ProgramType.XDP, asm(prog), 8, 3).getLast());
        assertEquals(List.of("insn 1: multiplier is not within u32 value range"), reasons(ProgramType.XDP, "ldxdw %r2, [%r10-8]\nmul %r2, 3\nmov %r0, 2\nexit", 8));
        assertEquals(List.of("insn 1: multiplicand is not within u32 value range"),
                reasons(ProgramType.XDP, "mov32 %r2, 1\nmul %r2, %r3\nmov %r0, 2\nexit", 0));
        assertEquals(List.of("insn 1: sign extended multiplicand won't be within u32 value range"),
                reasons(ProgramType.XDP, "mov32 %r2, 1\nmul %r2, -3\nmov %r0, 2\nexit", 0));
        assertEquals(List.of(), reasons(ProgramType.XDP, "ldxdw %r2, [%r10-8]\nand %r2, 0xffff\nmul %r2, 3\nrsh %r2, 32\nmul %r2, 3\nmov %r0, 2\nexit", 8));
        assertEquals(List.of("insn 1: dereference of modified ctx ptr"), reasons(ProgramType.XDP, "add %r1, 4\nldxw %r2, [%r1+0]\nmov %r0, 2\nexit", 0));
    }

    @Test
    void divisionByAConstant() throws JitException {
        List<String> mulhi = List.of("mul_step[a2, b21], start", "mul_step[a2, b21], 32x32_step_1", "mul_step[a2, b21], 32x32_step_2",
                "mul_step[a2, b21], 32x32_step_3", "mul_step[a2, b21], 32x32_step_4", "mul_step[--, --], 32x32_last");
        List<String> by3 = new ArrayList<>(List.of("immed[b21, 0xaaab]", "immed_w[b21, 0xaaaa, <<16]"));
        by3.addAll(mulhi);
        by3.addAll(List.of("mul_step[ab2, --], 32x32_last_2", "alu_shf[ab2, --, B, b2, >>1]", "immed[ab3, 0x0]"));
        assertEquals(by3, xdp("div32 %r1, 3\nexit", 0));
        List<String> by7 = new ArrayList<>(List.of("immed[b21, 0x4925]", "immed_w[b21, 0x2492, <<16]"));
        by7.addAll(mulhi);
        by7.addAll(List.of("mul_step[ab21, --], 32x32_last_2", "alu[ab2, a2, -, b21]", "alu_shf[ab2, --, B, b2, >>1]",
                "alu[ab2, a2, +, b21]", "alu_shf[ab2, --, B, b2, >>2]", "immed[ab3, 0x0]"));
        assertEquals(by7, xdp("div32 %r1, 7\nexit", 0));
        assertEquals(List.of("alu_shf[ab2, --, B, b2, >>4]", "immed[ab3, 0x0]"), xdp("div32 %r1, 16\nexit", 0));
        assertEquals(List.of("immed[ab3, 0x0]"), xdp("div32 %r1, 1\nexit", 0));
        // 14 = 2 * 7: the reciprocal of 7 would need 33 bits, so the even factor is shifted out first
        List<String> by14 = xdp("div32 %r1, 14\nexit", 0);
        assertEquals(List.of("immed[b21, 0x2493]", "immed_w[b21, 0x9249, <<16]", "alu_shf[ab2, --, B, b2, >>1]"), by14.subList(0, 3));
        assertEquals(List.of("mul_step[ab2, --], 32x32_last_2", "alu_shf[ab2, --, B, b2, >>2]", "immed[ab3, 0x0]"), by14.subList(9, 12));
        assertEquals(List.of("divisor is not constant: the NFP divides by reciprocal multiplication, for constant divisors only"),
                reasons(ProgramType.XDP, "div32 %r1, %r2\nmov %r0, 0\nexit", 0).stream().map(x -> x.substring(x.indexOf(": ") + 2)).toList());
        assertEquals(List.of("insn 0: divide by negative constant is not supported"), reasons(ProgramType.XDP, "div32 %r1, -3\nmov %r0, 0\nexit", 0));
        assertEquals(List.of("insn 0: instruction 0x94 not supported: the NFP has no divide instruction"),
                reasons(ProgramType.XDP, "mod32 %r1, 3\nmov %r0, 0\nexit", 0));
    }

    @Test
    void refusalsListEveryReasonInTheKernelsWords() {
        long[] p = asm("""
                div %r1, 3
                mod %r1, 3
                call 5
                stw [%r10-4], 1
                call 12
                mul %r1, %r2
                le16 %r1
                movsx832 %r1, %r2
                ldxw %r2, [%r1+8]
                stxdw [%r10-8], %r10
                mov %r0, 0
                exit
                """);
        List<String> reasons = jit.refusals(new CompileRequest("t", ProgramType.XDP, p, null, new int[] {16}, false, null))
                .stream().map(Refusal::detail).toList();
        assertEquals(List.of(
                "insn 0: dividend is not within u32 value range",
                "insn 1: instruction 0x97 not supported: the NFP has no divide instruction",
                "insn 2: unsupported function id: 5",
                "insn 3: store of an immediate to the stack not supported by nfp (only to packet data)",
                "insn 4: unsupported function id: 12",
                "insn 5: multiplier is not within u32 value range",
                "insn 6: instruction 0xd4 not supported: conversion to little endian",
                "insn 7: instruction 0xbc not supported: sign-extending move (cpu v4)",
                "insn 8: unsupported ptr type: a scalar",
                "insn 9: frame pointer stored to memory"), reasons);
        JitException e = assertThrows(JitException.class, () -> compile(ProgramType.XDP, p, 16));
        assertEquals(0, e.insnIndex());
        assertTrue(e.getMessage().startsWith("nfp: insn 0: dividend is not within u32 value range; insn 1: "), e.getMessage());
        assertTrue(e.getMessage().endsWith("; insn 9: frame pointer stored to memory"), e.getMessage());
    }

    @Test
    void refusalsOfPointersHelpersExitsAndProgramTypes() {
        assertEquals(List.of("program type socket_filter is not supported by nfp (only xdp and sched_cls)"), reasons(ProgramType.SOCKET_FILTER, "mov %r0, 0\nexit", 0));
        assertEquals(List.of("stack too large: program 520B > FW stack 512B"), reasons(ProgramType.XDP, "mov %r0, 0\nexit", 520));
        assertEquals(List.of("insn 1: unsupported exit state: r0 is a scalar of unknown value"), reasons(ProgramType.SCHED_CLS, "ldxw %r0, [%r1+0]\nexit", 0));
        assertEquals(List.of("insn 1: unsupported exit state: tc action 0 (only TC_ACT_SHOT, TC_ACT_STOLEN, TC_ACT_QUEUED and codes above 7)"),
                reasons(ProgramType.SCHED_CLS, "mov %r0, 0\nexit", 0));
        assertEquals(List.of(), reasons(ProgramType.SCHED_CLS, "mov %r0, 8\nexit", 0));
        assertEquals(List.of("insn 0: unsupported context access at offset 16 size 4"), reasons(ProgramType.XDP, "ldxw %r2, [%r1+16]\nmov %r0, 0\nexit", 0));
        assertEquals(List.of("insn 0: unsupported store to context field"), reasons(ProgramType.XDP, "stxw [%r1+0], %r2\nmov %r0, 0\nexit", 0));
        assertEquals(List.of("insn 3: ptr type changed for instruction: the base register holds pointers of different types on different paths"),
                reasons(ProgramType.XDP, "mov %r3, %r10\njeq %r2, 0, +1\nldxw %r3, [%r1+0]\nldxw %r0, [%r3-4]\nexit", 8));
        assertEquals(List.of("insn 0: map_lookup: not called with a map pointer"), reasons(ProgramType.XDP, "call 1\nexit", 0));
        assertEquals(List.of("insn 0: unsupported function id: 44"), reasons(ProgramType.SCHED_CLS, "call 44\nmov %r0, 2\nexit", 0));
        assertEquals(List.of("insn 1: event_output: must use BPF_F_CURRENT_CPU, flags: 0x0"), reasons(ProgramType.XDP, "mov %r3, 0\ncall 25\nexit", 0));
        assertEquals(List.of("insn 0: BPF-to-BPF calls not supported by this nfp back-end"),
                reasons(ProgramType.XDP, "call local f\nmov %r0, 2\nexit\nf:\nmov %r0, 1\nexit", 0));
        assertEquals(List.of("sandboxed code not supported by nfp: an offloaded program must be verified"),
                jit.refusals(new CompileRequest("t", ProgramType.XDP, asm("mov %r0, 2\nexit"), null, null, false,
                        org.obpf.api.jit.CompileOptions.DEFAULT.withSandbox(true))).stream().map(Refusal::detail).toList());
        // unreachable code is not checked, as the kernel's verifier never visits it
        assertEquals(List.of(), reasons(ProgramType.XDP, "mov %r0, 2\nexit\ndiv %r0, 0\nexit", 0));
    }

    List<String> reasons(ProgramType type, String src, int stack) {
        return jit.refusals(new CompileRequest("t", type, asm(src), null, new int[] {stack}, false, null)).stream().map(Refusal::detail).toList();
    }

    // ---- link ----

    static long word(byte[] code, int at) {
        return NfpJitBackend.get64(code, at);
    }

    static SymbolTable symbols(long load) {
        return SymbolTable.at(load).bind(Symbol.runtime(NfpJitBackend.NEXT_PACKET), 8 * 0x3000)
                .bind(Symbol.helper(1), 8 * 0x3100).bind(Symbol.helper(2), 8 * 0x3101).bind(Symbol.map(3), 42).build();
    }

    @Test
    void linkAtTwoLoadBasesMovesEveryInternalReferenceByTheBase() throws Exception {
        long[] p = mapProgram(2);
        // a loop and a register shift give relative branches inside jumps and inside ALU code
        long[] withLoop = Arrays.copyOf(p, p.length + 3);
        System.arraycopy(p, 0, withLoop, 0, 8);
        withLoop[8] = ins(BPF_ALU64 | BPF_LSH | BPF_X, 0, 0, 0, 0);
        withLoop[9] = ins(BPF_JMP | BPF_JGT | BPF_K, 0, 0, -2, 5);
        withLoop[10] = ins(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 2);
        withLoop[11] = ins(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
        RelocatableImage img = compile(ProgramType.XDP, Arrays.copyOf(withLoop, 12), 8);
        LinkedImage at0 = jit.link(img, symbols(0));
        LinkedImage at1 = jit.link(img, symbols(8 * 0x800));
        assertEquals(8 * 0x800, at1.loadAddress());
        byte[] c0 = at0.code(), c1 = at1.code(), raw = img.code();
        int tgtOut = -1;
        for (Relocation r : img.relocations()) {
            long w0 = word(c0, r.offset()) & ((1L << 45) - 1), w1 = word(c1, r.offset()) & ((1L << 45) - 1);
            switch (r.typeName()) {
                case "RELO_BR_REL" -> {
                    assertEquals(NfpAsm.brGetOffset(word(raw, r.offset())), NfpAsm.brGetOffset(w0));
                    assertEquals(0x800, NfpAsm.brGetOffset(w1) - NfpAsm.brGetOffset(w0), r.toString());
                }
                case "RELO_IMMED_REL" -> assertEquals(0x800, NfpAsm.immedGetValue(w1) - NfpAsm.immedGetValue(w0), r.toString());
                case "RELO_BR_GO_OUT" -> {
                    tgtOut = (int) r.addend() / 8;
                    assertEquals(tgtOut, NfpAsm.brGetOffset(w0));
                    assertEquals(tgtOut + 0x800, NfpAsm.brGetOffset(w1));
                }
                case "RELO_BR_NEXT_PKT" -> {
                    assertEquals(0x3000, NfpAsm.brGetOffset(w0));
                    assertEquals(0x3000, NfpAsm.brGetOffset(w1));
                }
                case "RELO_BR_HELPER" -> assertEquals(0x3101, NfpAsm.brGetOffset(w1));
                case "RELO_IMMED_ABS" -> {
                    assertEquals(42, NfpAsm.immedGetValue(w0));
                    assertEquals(42, NfpAsm.immedGetValue(w1));
                }
                default -> throw new AssertionError("unexpected relocation " + r);
            }
        }
        assertTrue(tgtOut > 0);
        assertEquals(Set.of("RELO_BR_REL", "RELO_IMMED_REL", "RELO_BR_GO_OUT", "RELO_BR_NEXT_PKT", "RELO_BR_HELPER", "RELO_IMMED_ABS"),
                img.relocations().stream().map(Relocation::typeName).collect(java.util.stream.Collectors.toSet()));
        // every word: relocation byte cleared, ECC as the kernel computes it, unrelocated words unchanged
        for (int at = 0; at < c0.length; at += 8) {
            for (byte[] c : List.of(c0, c1)) {
                long w = word(c, at);
                assertEquals(0, w >>> 56, "relocation byte left at " + at);
                assertEquals(NfpAsm.withEcc(w & ((1L << 45) - 1)), w, "ECC at " + at);
            }
            final int a = at;
            if (img.relocations().stream().noneMatch(r -> r.offset() == a)) {
                assertEquals(word(raw, at), word(c1, at) & ((1L << 45) - 1));
            }
        }
        // the linked code still disassembles, with the absolute targets
        String exitBranch = "br[." + (tgtOut + 0x800) + "]";
        assertTrue(new NfpDisassembler().disassemble(c1, at1.loadAddress()).stream().anyMatch(l -> l.endsWith(exitBranch)));
    }

    @Test
    void linkErrorsListEveryProblem() throws Exception {
        RelocatableImage img = compile(ProgramType.XDP, mapProgram(1), 8);
        LinkException e = assertThrows(LinkException.class, () -> jit.link(img, SymbolTable.at(12).build()));
        assertEquals(List.of(
                "load address 0xc is not a code-store word address (a multiple of 8)",
                "RELO_IMMED_ABS at offset 112: unresolved symbol map#3",
                "RELO_BR_HELPER at offset 128: unresolved symbol helper#1",
                "RELO_BR_NEXT_PKT at offset 176: unresolved symbol nfp_next_packet",
                "RELO_BR_NEXT_PKT at offset 256: unresolved symbol nfp_next_packet"), e.problems());
        LinkException far = assertThrows(LinkException.class, () -> jit.link(img, symbols(8 * 0x3ff0)));
        assertTrue(far.problems().getFirst().endsWith("branch target 16382 outside 0..16383") || far.problems().stream().anyMatch(s -> s.contains("outside 0..16383")),
                far.problems().toString());
        LinkException big = assertThrows(LinkException.class, () -> jit.link(img, SymbolTable.at(0).bind(Symbol.runtime(NfpJitBackend.NEXT_PACKET), 0)
                .bind(Symbol.helper(1), 0).bind(Symbol.map(3), 0x10000).build()));
        assertEquals(List.of("RELO_IMMED_ABS at offset 112: map#3 id 65536 does not fit a 16-bit immediate"), big.problems());
        RelocatableImage other = new RelocatableImage("x86_64", new byte[8], List.of(), new int[] {0}, new int[] {0});
        assertEquals(List.of("image was compiled for x86_64"), assertThrows(LinkException.class, () -> jit.link(other, symbols(0))).problems());
    }

    @Test
    void foundThroughServiceLoader() {
        List<String> archs = ServiceLoader.load(JitBackend.class).stream().map(p -> p.get().arch()).toList();
        assertTrue(archs.contains("nfp"), archs.toString());
    }
}
