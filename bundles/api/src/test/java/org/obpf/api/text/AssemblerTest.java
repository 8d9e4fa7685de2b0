package org.obpf.api.text;

import static org.junit.jupiter.api.Assertions.*;
import static org.obpf.api.insn.Opcodes.*;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.obpf.api.insn.Insn;
import org.obpf.api.insn.InsnDecoder;

class AssemblerTest {

    static long i(int code, int dst, int src, int off, int imm) {
        return Insn.encode(code, dst, src, off, imm);
    }

    @Test
    void encodesOperandsLikeTheSuitesAssembler() throws Exception {
        long[] p = Assembler.assemble("""
                # comment line
                mov32 %r0, 0            # trailing comment
                add %r1, -3
                ldxw %r0, [%r1+4]
                stxdw [%r10-8], %r1
                stw [%r0], 0x80000001
                lddw %r0, 0x123456789
                sdiv32 %r2, %r3
                smod %r2, -1
                movsx1664 %r8, %r7
                be16 %r3
                swap32 %r3
                xadd [%r1+0], %r2
                lock fetch or32 [%r1-4], %r3
                call 5
                call runtime 9
                exit
                """);
        assertArrayEquals(new long[] {
            i(BPF_ALU | BPF_MOV | BPF_K, 0, 0, 0, 0),
            i(BPF_ALU64 | BPF_ADD | BPF_K, 1, 0, 0, -3),
            i(BPF_LDX | BPF_MEM | BPF_W, 0, 1, 4, 0),
            i(BPF_STX | BPF_MEM | BPF_DW, 10, 1, -8, 0),
            i(BPF_ST | BPF_MEM | BPF_W, 0, 0, 0, 0x80000001),
            i(BPF_LD | BPF_IMM | BPF_DW, 0, 0, 0, 0x23456789), i(0, 0, 0, 0, 1),
            i(BPF_ALU | BPF_DIV | BPF_X, 2, 3, 1, 0),
            i(BPF_ALU64 | BPF_MOD | BPF_K, 2, 0, 1, -1),
            i(BPF_ALU64 | BPF_MOV | BPF_X, 8, 7, 16, 0),
            i(BPF_ALU | BPF_END | BPF_TO_BE, 3, 0, 0, 16),
            i(BPF_ALU64 | BPF_END | BPF_TO_LE, 3, 0, 0, 32),
            i(BPF_STX | BPF_ATOMIC | BPF_DW, 1, 2, 0, BPF_ADD),
            i(BPF_STX | BPF_ATOMIC | BPF_W, 1, 3, -4, BPF_OR | BPF_FETCH),
            i(BPF_JMP | BPF_CALL, 0, 0, 0, 5),
            i(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_KFUNC_CALL, 0, 9),
            i(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
        }, p);
    }

    @Test
    void resolvesLabelsInSlotsCountingTheWideLoad() throws Exception {
        long[] p = Assembler.assemble("""
                start:
                jeq %r1, 0, over
                lddw %r2, 1
                over:
                jsgt32 %r1, %r2, start
                call local fn
                ja32 exit
                ja -1
                exit
                fn:
                mov %r0, 1
                exit
                """);
        assertEquals(2, Insn.off(p[0]), "over is slot 3, after the 2-slot lddw: 0 + 1 + 2");
        assertEquals(-4, Insn.off(p[3]));
        assertEquals(BPF_PSEUDO_CALL, Insn.src(p[4]));
        assertEquals(3, Insn.imm(p[4]), "fn is slot 8 = 4 + 1 + 3");
        assertEquals(BPF_JMP32 | BPF_JA, Insn.code(p[5]));
        assertEquals(1, Insn.imm(p[5]), "exit names the first exit instruction, slot 7");
        assertEquals(0, Insn.off(p[5]));
        assertEquals(-1, Insn.off(p[6]));
        InsnDecoder.validate(p);
        List<String> text = Disassembler.disassemble(p);
        assertEquals(List.of("if r1 == 0 goto +2", "r2 = 1 ll", "if w1 s> w2 goto -4", "call 3", "gotol +1",
                "goto -1", "exit", "r0 = 1", "exit"), text);
    }

    @Test
    void anExplicitExitLabelWins() throws Exception {
        long[] p = Assembler.assemble("ja exit\nexit\nexit:\nexit\n");
        assertEquals(1, Insn.off(p[0]));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "foo %r1               | line 1: unknown mnemonic foo",
        "mov %r11x, 1          | line 1: invalid register %r11x",
        "mov %r16, 1           | line 1: invalid register %r16",
        "mov %r1               | line 1: mov takes 2 operands, got 1",
        "exit %r0              | line 1: exit takes 0 operands, got 1",
        "ja nowhere            | line 1: unknown label nowhere",
        "mov %r1, 12z          | line 1: invalid number 12z",
        "ldxw %r1, %r2         | line 1: invalid memory operand %r2",
        "call weird 5          | line 1: invalid call mode weird",
        "lock sub [%r1], %r2   | line 1: unknown atomic operation sub",
        "movsx816 %r1, %r2     | line 1: unknown mnemonic movsx816",
    })
    void refusesWithTheLine(String source, String message) {
        AssemblerException e = assertThrows(AssemblerException.class, () -> Assembler.assemble(source));
        assertEquals(message, e.getMessage());
        assertEquals(1, e.line());
    }

    @Test
    void refusesDuplicateLabelsAndFarJumps() {
        AssemblerException dup = assertThrows(AssemblerException.class, () -> Assembler.assemble("a:\nexit\na:\nexit\n"));
        assertEquals("line 3: duplicate label a", dup.getMessage());
        String far = "ja end\n" + "mov %r0, 0\n".repeat(40000) + "end:\nexit\n";
        AssemblerException e = assertThrows(AssemblerException.class, () -> Assembler.assemble(far));
        assertEquals("line 1: jump to end out of 16-bit range: 40000", e.getMessage());
    }

    @Test
    void registersElevenToFifteenAssembleSoThatTestsCanBuildInvalidPrograms() throws Exception {
        long[] p = Assembler.assemble("mov %r11, 1\nexit\n");
        assertEquals(11, Insn.dst(p[0]));
        assertEquals("insn 0: R11 is invalid",
                assertThrows(org.obpf.api.insn.InvalidInsnException.class, () -> InsnDecoder.validate(p)).getMessage());
    }
}
