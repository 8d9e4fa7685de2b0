package org.obpf.api.insn;

import static org.junit.jupiter.api.Assertions.*;
import static org.obpf.api.insn.Opcodes.*;

import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.obpf.api.Errno;

class InsnDecoderTest {

    static long i(int code, int dst, int src, int off, int imm) {
        return Insn.encode(code, dst, src, off, imm);
    }

    static final long EXIT = i(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
    static final long MOV0 = i(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0);

    static long[] p(long... words) {
        return words;
    }

    static Arguments bad(String what, long[] prog, String message) {
        return Arguments.of(what, prog, message);
    }

    /** One bad encoding per verifier rule, with the kernel's message. */
    static Stream<Arguments> badPrograms() {
        return Stream.of(
                bad("empty program", p(), "insn 0: program has no instructions"),
                // opcode table (bpf_opcode_in_insntable)
                bad("ld imm W", p(i(BPF_LD | BPF_IMM | BPF_W, 0, 0, 0, 1), EXIT), "insn 0: invalid BPF_LD_IMM insn"),
                bad("ld imm H", p(MOV0, i(BPF_LD | BPF_IMM | BPF_H, 0, 0, 0, 1), EXIT), "insn 1: invalid BPF_LD_IMM insn"),
                bad("callx", p(i(BPF_JMP | BPF_CALL | BPF_X, 2, 0, 0, 0), EXIT), "insn 0: unknown opcode 8d"),
                bad("alu64 op 0xf0", p(i(0xf7, 0, 0, 0, 0), EXIT), "insn 0: unknown opcode f7"),
                bad("alu op 0xe0", p(i(0xe4, 0, 0, 0, 0), EXIT), "insn 0: unknown opcode e4"),
                bad("neg with BPF_X", p(i(BPF_ALU | BPF_NEG | BPF_X, 0, 0, 0, 0), EXIT), "insn 0: unknown opcode 8c"),
                bad("alu64 end to_be", p(i(BPF_ALU64 | BPF_END | BPF_TO_BE, 0, 0, 0, 16), EXIT), "insn 0: unknown opcode df"),
                bad("jmp32 call", p(i(BPF_JMP32 | BPF_CALL, 0, 0, 0, 1), EXIT), "insn 0: unknown opcode 86"),
                bad("jmp32 exit", p(i(BPF_JMP32 | BPF_EXIT, 0, 0, 0, 0)), "insn 0: unknown opcode 96"),
                bad("ja with BPF_X", p(i(BPF_JMP | BPF_JA | BPF_X, 0, 0, 0, 0), EXIT), "insn 0: unknown opcode 0d"),
                bad("jcond (may_goto)", p(i(0xe5, 0, 0, 0, 0), EXIT), "insn 0: unknown opcode e5"),
                bad("jmp op 0xf0", p(i(0xf6, 0, 0, 0, 0), EXIT), "insn 0: unknown opcode f6"),
                bad("ldx memsx dw", p(i(BPF_LDX | BPF_MEMSX | BPF_DW, 0, 1, 0, 0), EXIT), "insn 0: unknown opcode 99"),
                bad("ldx abs", p(i(BPF_LDX | BPF_ABS | BPF_W, 0, 1, 0, 0), EXIT), "insn 0: unknown opcode 21"),
                bad("ld abs dw", p(i(BPF_LD | BPF_ABS | BPF_DW, 0, 0, 0, 0), EXIT), "insn 0: unknown opcode 38"),
                bad("ld mem", p(i(BPF_LD | BPF_MEM | BPF_W, 0, 0, 0, 0), EXIT), "insn 0: unknown opcode 60"),
                bad("st atomic", p(i(BPF_ST | BPF_ATOMIC | BPF_W, 1, 0, 0, 0), EXIT), "insn 0: unknown opcode c2"),
                bad("stx atomic byte", p(i(BPF_STX | BPF_ATOMIC | BPF_B, 1, 2, 0, 0), EXIT), "insn 0: unknown opcode d3"),
                bad("stx memsx", p(i(BPF_STX | BPF_MEMSX | BPF_W, 1, 2, 0, 0), EXIT), "insn 0: unknown opcode 83"),
                // the 16-byte load (resolve_pseudo_ldimm64, check_ld_imm)
                bad("lddw truncated", p(EXIT, i(0x18, 0, 0, 0, 1)), "insn 1: invalid bpf_ld_imm64 insn"),
                bad("lddw second slot opcode", p(i(0x18, 0, 0, 0, 1), i(0x95, 0, 0, 0, 0), EXIT), "insn 0: invalid bpf_ld_imm64 insn"),
                bad("lddw second slot dst", p(i(0x18, 0, 0, 0, 1), i(0, 1, 0, 0, 0), EXIT), "insn 0: invalid bpf_ld_imm64 insn"),
                bad("lddw second slot src", p(i(0x18, 0, 0, 0, 1), i(0, 0, 1, 0, 0), EXIT), "insn 0: invalid bpf_ld_imm64 insn"),
                bad("lddw second slot off", p(i(0x18, 0, 0, 0, 1), i(0, 0, 0, 1, 0), EXIT), "insn 0: invalid bpf_ld_imm64 insn"),
                bad("lddw pseudo src 7", p(i(0x18, 1, 7, 0, 1), i(0, 0, 0, 0, 0), EXIT), "insn 0: unrecognized bpf_ld_imm64 insn"),
                bad("lddw map fd with high imm", p(i(0x18, 1, BPF_PSEUDO_MAP_FD, 0, 3), i(0, 0, 0, 0, 1), EXIT),
                        "insn 0: unrecognized bpf_ld_imm64 insn"),
                bad("lddw map idx with high imm", p(i(0x18, 1, BPF_PSEUDO_MAP_IDX, 0, 3), i(0, 0, 0, 0, 1), EXIT),
                        "insn 0: unrecognized bpf_ld_imm64 insn"),
                bad("lddw off", p(i(0x18, 1, 0, 1, 3), i(0, 0, 0, 0, 0), EXIT), "insn 0: BPF_LD_IMM64 uses reserved fields"),
                bad("lddw dst r11", p(i(0x18, 11, 0, 0, 3), i(0, 0, 0, 0, 0), EXIT), "insn 0: R11 is invalid"),
                bad("lddw dst r10", p(i(0x18, 10, 0, 0, 3), i(0, 0, 0, 0, 0), EXIT), "insn 0: frame pointer is read only"),
                bad("lddw pseudo func out of range", p(i(0x18, 1, BPF_PSEUDO_FUNC, 0, 7), i(0, 0, 0, 0, 0), EXIT),
                        "insn 0: call to invalid destination"),
                // check_alu_op
                bad("alu X with imm", p(i(BPF_ALU64 | BPF_ADD | BPF_X, 0, 1, 0, 5), EXIT), "insn 0: BPF_ALU uses reserved fields"),
                bad("alu K with src", p(i(BPF_ALU | BPF_ADD | BPF_K, 0, 1, 0, 5), EXIT), "insn 0: BPF_ALU uses reserved fields"),
                bad("add with off 1", p(i(BPF_ALU64 | BPF_ADD | BPF_K, 0, 0, 1, 5), EXIT), "insn 0: BPF_ALU uses reserved fields"),
                bad("div with off 2", p(i(BPF_ALU64 | BPF_DIV | BPF_X, 0, 1, 2, 0), EXIT), "insn 0: BPF_ALU uses reserved fields"),
                bad("mod K with off -1", p(i(BPF_ALU | BPF_MOD | BPF_K, 0, 0, -1, 3), EXIT), "insn 0: BPF_ALU uses reserved fields"),
                bad("neg with imm", p(i(BPF_ALU64 | BPF_NEG, 0, 0, 0, 1), EXIT), "insn 0: BPF_NEG uses reserved fields"),
                bad("neg with src", p(i(BPF_ALU | BPF_NEG, 0, 1, 0, 0), EXIT), "insn 0: BPF_NEG uses reserved fields"),
                bad("neg with off", p(i(BPF_ALU | BPF_NEG, 0, 0, 1, 0), EXIT), "insn 0: BPF_NEG uses reserved fields"),
                bad("le8", p(i(BPF_ALU | BPF_END | BPF_TO_LE, 0, 0, 0, 8), EXIT), "insn 0: BPF_END uses reserved fields"),
                bad("be16 with off", p(i(BPF_ALU | BPF_END | BPF_TO_BE, 0, 0, 1, 16), EXIT), "insn 0: BPF_END uses reserved fields"),
                bad("be16 with src", p(i(BPF_ALU | BPF_END | BPF_TO_BE, 0, 1, 0, 16), EXIT), "insn 0: BPF_END uses reserved fields"),
                bad("bswap0", p(i(BPF_ALU64 | BPF_END | BPF_TO_LE, 0, 0, 0, 0), EXIT), "insn 0: BPF_END uses reserved fields"),
                bad("movsx32 from 32 bits", p(i(BPF_ALU | BPF_MOV | BPF_X, 0, 1, 32, 0), EXIT), "insn 0: BPF_MOV uses reserved fields"),
                bad("movsx from 7 bits", p(i(BPF_ALU64 | BPF_MOV | BPF_X, 0, 1, 7, 0), EXIT), "insn 0: BPF_MOV uses reserved fields"),
                bad("mov X with imm", p(i(BPF_ALU64 | BPF_MOV | BPF_X, 0, 1, 0, 1), EXIT), "insn 0: BPF_MOV uses reserved fields"),
                bad("mov K with src", p(i(BPF_ALU64 | BPF_MOV | BPF_K, 0, 1, 0, 1), EXIT), "insn 0: BPF_MOV uses reserved fields"),
                bad("mov K with off", p(i(BPF_ALU | BPF_MOV | BPF_K, 0, 0, 8, 1), EXIT), "insn 0: BPF_MOV uses reserved fields"),
                bad("alu dst r11", p(i(BPF_ALU64 | BPF_ADD | BPF_K, 11, 0, 0, 1), EXIT), "insn 0: R11 is invalid"),
                bad("alu src r12", p(i(BPF_ALU64 | BPF_ADD | BPF_X, 1, 12, 0, 0), EXIT), "insn 0: R12 is invalid"),
                bad("mov src r15", p(i(BPF_ALU | BPF_MOV | BPF_X, 1, 15, 0, 0), EXIT), "insn 0: R15 is invalid"),
                bad("neg dst r13", p(i(BPF_ALU64 | BPF_NEG, 13, 0, 0, 0), EXIT), "insn 0: R13 is invalid"),
                bad("write r10", p(i(BPF_ALU64 | BPF_ADD | BPF_K, 10, 0, 0, -8), EXIT), "insn 0: frame pointer is read only"),
                bad("mov to r10", p(i(BPF_ALU64 | BPF_MOV | BPF_X, 10, 1, 0, 0), EXIT), "insn 0: frame pointer is read only"),
                // loads and stores
                bad("ldx with imm", p(i(BPF_LDX | BPF_MEM | BPF_W, 0, 1, 0, 1), EXIT), "insn 0: BPF_LDX uses reserved fields"),
                bad("ldxsx with imm", p(i(BPF_LDX | BPF_MEMSX | BPF_B, 0, 1, 0, 1), EXIT), "insn 0: BPF_LDX uses reserved fields"),
                bad("ldx src r11", p(i(BPF_LDX | BPF_MEM | BPF_W, 0, 11, 0, 0), EXIT), "insn 0: R11 is invalid"),
                bad("ldx into r10", p(i(BPF_LDX | BPF_MEM | BPF_DW, 10, 1, 0, 0), EXIT), "insn 0: frame pointer is read only"),
                bad("st with src", p(i(BPF_ST | BPF_MEM | BPF_W, 10, 1, -4, 0), EXIT), "insn 0: BPF_ST uses reserved fields"),
                bad("st dst r11", p(i(BPF_ST | BPF_MEM | BPF_B, 11, 0, 0, 0), EXIT), "insn 0: R11 is invalid"),
                bad("stx with imm", p(i(BPF_STX | BPF_MEM | BPF_DW, 10, 1, -8, 1), EXIT), "insn 0: BPF_STX uses reserved fields"),
                bad("stx src r14", p(i(BPF_STX | BPF_MEM | BPF_DW, 10, 14, -8, 0), EXIT), "insn 0: R14 is invalid"),
                bad("atomic opcode 02", p(i(BPF_STX | BPF_ATOMIC | BPF_DW, 1, 2, 0, 0x02), EXIT),
                        "insn 0: BPF_ATOMIC uses invalid atomic opcode 02"),
                bad("atomic sub", p(i(BPF_STX | BPF_ATOMIC | BPF_W, 1, 2, 0, BPF_SUB), EXIT),
                        "insn 0: BPF_ATOMIC uses invalid atomic opcode 10"),
                bad("atomic xchg without fetch", p(i(BPF_STX | BPF_ATOMIC | BPF_W, 1, 2, 0, 0xe0), EXIT),
                        "insn 0: BPF_ATOMIC uses invalid atomic opcode e0"),
                bad("atomic dst r11", p(i(BPF_STX | BPF_ATOMIC | BPF_DW, 11, 2, 0, BPF_ADD), EXIT), "insn 0: R11 is invalid"),
                bad("atomic fetch into r10", p(i(BPF_STX | BPF_ATOMIC | BPF_DW, 1, 10, 0, BPF_ADD | BPF_FETCH), EXIT),
                        "insn 0: frame pointer is read only"),
                bad("ld_abs with dst", p(i(BPF_LD | BPF_ABS | BPF_B, 1, 0, 0, 0), EXIT), "insn 0: BPF_LD_[ABS|IND] uses reserved fields"),
                bad("ld_abs with src", p(i(BPF_LD | BPF_ABS | BPF_H, 0, 1, 0, 0), EXIT), "insn 0: BPF_LD_[ABS|IND] uses reserved fields"),
                bad("ld_ind with off", p(i(BPF_LD | BPF_IND | BPF_W, 0, 1, 2, 0), EXIT), "insn 0: BPF_LD_[ABS|IND] uses reserved fields"),
                bad("ld_ind src r11", p(i(BPF_LD | BPF_IND | BPF_W, 0, 11, 0, 0), EXIT), "insn 0: R11 is invalid"),
                // calls, exit, jumps
                bad("helper call with off", p(i(BPF_JMP | BPF_CALL, 0, 0, 1, 1), EXIT), "insn 0: BPF_CALL uses reserved fields"),
                bad("local call with off", p(i(BPF_JMP | BPF_CALL, 0, 1, -1, 0), EXIT), "insn 0: BPF_CALL uses reserved fields"),
                bad("call src 3", p(i(BPF_JMP | BPF_CALL, 0, 3, 0, 0), EXIT), "insn 0: BPF_CALL uses reserved fields"),
                bad("call with dst", p(i(BPF_JMP | BPF_CALL, 1, 0, 0, 1), EXIT), "insn 0: BPF_CALL uses reserved fields"),
                bad("helper 212", p(i(BPF_JMP | BPF_CALL, 0, 0, 0, 212), EXIT), "insn 0: invalid func unknown#212"),
                bad("helper -1", p(i(BPF_JMP | BPF_CALL, 0, 0, 0, -1), EXIT), "insn 0: invalid func unknown#-1"),
                bad("local call past the end", p(i(BPF_JMP | BPF_CALL, 0, 1, 0, 1), EXIT), "insn 0: call to invalid destination"),
                bad("local call before the start", p(EXIT, i(BPF_JMP | BPF_CALL, 0, 1, 0, -3), EXIT), "insn 1: call to invalid destination"),
                bad("ja with imm", p(i(BPF_JMP | BPF_JA, 0, 0, 0, 1), EXIT), "insn 0: BPF_JA uses reserved fields"),
                bad("ja with dst", p(i(BPF_JMP | BPF_JA, 1, 0, 0, 0), EXIT), "insn 0: BPF_JA uses reserved fields"),
                bad("gotol with off", p(i(BPF_JMP32 | BPF_JA, 0, 0, 1, 0), EXIT), "insn 0: BPF_JA uses reserved fields"),
                bad("exit with imm", p(i(BPF_JMP | BPF_EXIT, 0, 0, 0, 1)), "insn 0: BPF_EXIT uses reserved fields"),
                bad("exit with dst", p(i(BPF_JMP | BPF_EXIT, 1, 0, 0, 0)), "insn 0: BPF_EXIT uses reserved fields"),
                bad("jeq X with imm", p(i(BPF_JMP | BPF_JEQ | BPF_X, 1, 2, 0, 1), EXIT), "insn 0: BPF_JMP/JMP32 uses reserved fields"),
                bad("jlt32 K with src", p(i(BPF_JMP32 | BPF_JLT | BPF_K, 1, 2, 0, 1), EXIT), "insn 0: BPF_JMP/JMP32 uses reserved fields"),
                bad("jset dst r11", p(i(BPF_JMP | BPF_JSET | BPF_K, 11, 0, 0, 1), EXIT), "insn 0: R11 is invalid"),
                bad("jsgt src r11", p(i(BPF_JMP | BPF_JSGT | BPF_X, 1, 11, 0, 0), EXIT), "insn 0: R11 is invalid"),
                // check_subprogs
                bad("jump past the end", p(i(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 4, 0), EXIT), "insn 0: jump out of range from insn 0 to 5"),
                bad("jump before the start", p(i(BPF_JMP | BPF_JA, 0, 0, -2, 0), EXIT), "insn 0: jump out of range from insn 0 to -1"),
                bad("gotol past the end", p(MOV0, i(BPF_JMP32 | BPF_JA, 0, 0, 0, 100000), EXIT),
                        "insn 1: jump out of range from insn 1 to 100002"),
                bad("jump into lddw", p(i(BPF_JMP | BPF_JA, 0, 0, 1, 0), i(0x18, 0, 0, 0, 1), i(0, 0, 0, 0, 0), EXIT),
                        "insn 0: jump into the middle of ldimm64 insn 2"),
                bad("no exit at the end", p(MOV0), "insn 0: last insn is not an exit or jmp"),
                bad("ends with a conditional jump", p(MOV0, i(BPF_JMP | BPF_JEQ, 0, 0, -2, 0)),
                        "insn 1: last insn is not an exit or jmp"),
                bad("ends with lddw", p(EXIT, i(0x18, 0, 0, 0, 1), i(0, 0, 0, 0, 0)), "insn 1: last insn is not an exit or jmp"),
                bad("sub-program falls through", p(i(BPF_JMP | BPF_CALL, 0, 1, 0, 1), MOV0, MOV0, EXIT),
                        "insn 1: last insn is not an exit or jmp"),
                bad("jump into another sub-program",
                        p(i(BPF_JMP | BPF_CALL, 0, 1, 0, 2), i(BPF_JMP | BPF_JA, 0, 0, 2, 0), EXIT, MOV0, EXIT),
                        "insn 1: jump out of range from insn 1 to 4"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badPrograms")
    void refusesWithTheKernelsReason(String what, long[] prog, String message) {
        InvalidInsnException e = assertThrows(InvalidInsnException.class, () -> InsnDecoder.validate(prog));
        assertEquals(message, e.getMessage());
        assertEquals(Errno.EINVAL, e.errno());
        int colon = message.indexOf(": ");
        assertEquals(Integer.parseInt(message.substring(5, colon)), e.index());
        assertEquals(message.substring(colon + 2), e.reason());
        assertThrows(InvalidInsnException.class, () -> InsnDecoder.decode(prog));
    }

    @Test
    void decodesEveryFormOfTheIsa() throws InvalidInsnException {
        long[] prog = {
            i(BPF_ALU64 | BPF_ADD | BPF_K, 1, 0, 0, -3),            // 0
            i(BPF_ALU | BPF_SUB | BPF_X, 1, 2, 0, 0),               // 1
            i(BPF_ALU64 | BPF_DIV | BPF_X, 1, 2, 1, 0),             // 2 sdiv
            i(BPF_ALU | BPF_MOD | BPF_K, 1, 0, 1, 7),               // 3 smod32
            i(BPF_ALU64 | BPF_MOV | BPF_X, 1, 2, 32, 0),            // 4 movsx 32->64
            i(BPF_ALU | BPF_MOV | BPF_X, 1, 2, 8, 0),               // 5 movsx 8->32
            i(BPF_ALU | BPF_END | BPF_TO_BE, 1, 0, 0, 16),          // 6 be16
            i(BPF_ALU | BPF_END | BPF_TO_LE, 1, 0, 0, 64),          // 7 le64
            i(BPF_ALU64 | BPF_END | BPF_TO_LE, 1, 0, 0, 32),        // 8 bswap32
            i(BPF_ALU64 | BPF_NEG, 3, 0, 0, 0),                     // 9
            i(BPF_LD | BPF_IMM | BPF_DW, 4, BPF_PSEUDO_MAP_VALUE, 0, 5), i(0, 0, 0, 0, 16), // 10-11
            i(BPF_LDX | BPF_MEMSX | BPF_H, 5, 10, -2, 0),           // 12
            i(BPF_LDX | BPF_MEM | BPF_B, 5, 1, 3, 0),               // 13
            i(BPF_ST | BPF_MEM | BPF_DW, 10, 0, -8, 9),             // 14
            i(BPF_STX | BPF_MEM | BPF_H, 10, 5, -2, 0),             // 15
            i(BPF_STX | BPF_ATOMIC | BPF_W, 10, 2, -4, BPF_CMPXCHG), // 16
            i(BPF_STX | BPF_ATOMIC | BPF_DW, 10, 2, -8, BPF_AND | BPF_FETCH), // 17
            i(BPF_LD | BPF_IND | BPF_H, 0, 6, 0, 14),               // 18
            i(BPF_JMP32 | BPF_JSLE | BPF_X, 1, 2, 1, 0),            // 19 -> 21
            i(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_KFUNC_CALL, 3, 1234), // 20
            i(BPF_JMP32 | BPF_JA, 0, 0, 0, 1),                      // 21 gotol -> 23
            i(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, 1),        // 22 -> 24
            i(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),                      // 23
            i(BPF_JMP | BPF_CALL, 0, BPF_HELPER_CALL, 0, 5),        // 24 subprog
            i(BPF_JMP | BPF_JLT | BPF_K, 0, 0, -2, 100),            // 25 -> 24
            i(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),                      // 26
        };
        List<DecodedInsn> d = InsnDecoder.decode(prog);
        assertEquals(List.of(InsnKind.ADD, InsnKind.SUB, InsnKind.SDIV, InsnKind.SMOD, InsnKind.MOVSX, InsnKind.MOVSX,
                InsnKind.BE, InsnKind.LE, InsnKind.BSWAP, InsnKind.NEG, InsnKind.LD_IMM64, InsnKind.LDXSX, InsnKind.LDX,
                InsnKind.ST, InsnKind.STX, InsnKind.ATOMIC_CMPXCHG, InsnKind.ATOMIC_FETCH_AND, InsnKind.LD_IND,
                InsnKind.JSLE, InsnKind.CALL_KFUNC, InsnKind.GOTOL, InsnKind.CALL_LOCAL, InsnKind.EXIT,
                InsnKind.CALL_HELPER, InsnKind.JLT, InsnKind.EXIT), d.stream().map(DecodedInsn::kind).toList());
        assertEquals(CpuVersion.V4, InsnDecoder.validate(prog));

        DecodedInsn add = d.get(0);
        assertTrue(add.is64());
        assertFalse(add.srcIsReg());
        assertEquals(-3, add.imm());
        assertEquals(-3L, add.imm64());
        assertFalse(d.get(1).is64());
        assertTrue(d.get(1).srcIsReg());
        assertEquals(32, d.get(4).bits());
        assertEquals(8, d.get(5).bits());
        assertEquals(16, d.get(6).bits());
        assertFalse(d.get(6).srcIsReg(), "BPF_TO_BE is the direction, not a register source");
        DecodedInsn lddw = d.get(10);
        assertEquals(10, lddw.index());
        assertEquals(2, lddw.slots());
        assertEquals(BPF_PSEUDO_MAP_VALUE, lddw.src());
        assertEquals(0x10_0000_0005L, lddw.imm64());
        assertEquals(12, d.get(11).index());
        assertEquals(2, d.get(11).sizeBytes());
        assertEquals(16, d.get(11).bits());
        assertEquals(-2, d.get(11).off());
        assertEquals(8, d.get(13).sizeBytes());
        assertFalse(d.get(15).is64());
        assertTrue(d.get(15).kind().isFetch());
        assertTrue(d.get(16).is64());
        assertEquals(21, d.get(18).target());
        assertFalse(d.get(18).is64());
        assertEquals(CpuVersion.V3, d.get(18).cpu());
        assertEquals(23, d.get(20).target());
        assertEquals(24, d.get(21).target());
        assertEquals(24, d.get(24).target());
        assertEquals(CpuVersion.V2, d.get(24).cpu());
        assertTrue(d.get(24).kind().isConditionalJump());
        assertFalse(d.get(20).kind().isConditionalJump());
    }

    @Test
    void reportsTheCpuVersionAProgramNeeds() throws InvalidInsnException {
        assertEquals(CpuVersion.V1, InsnDecoder.validate(p(MOV0, i(BPF_STX | BPF_ATOMIC | BPF_W, 10, 0, -4, BPF_ADD), EXIT)));
        assertEquals(CpuVersion.V2, InsnDecoder.validate(p(i(BPF_JMP | BPF_JSLT, 0, 0, 0, 1), EXIT)));
        assertEquals(CpuVersion.V3, InsnDecoder.validate(p(i(BPF_JMP32 | BPF_JEQ, 0, 0, 0, 1), EXIT)));
        assertEquals(CpuVersion.V3, InsnDecoder.validate(p(i(BPF_STX | BPF_ATOMIC | BPF_DW, 10, 1, -8, BPF_XCHG), EXIT)));
        assertEquals(CpuVersion.V4, InsnDecoder.validate(p(i(BPF_LDX | BPF_MEMSX | BPF_W, 0, 1, 0, 0), EXIT)));
        assertEquals("v4", CpuVersion.V4.mcpu());
    }

    @Test
    void acceptsWhatTheKernelAccepts() throws InvalidInsnException {
        // kfunc calls keep a BTF fd index in off; BTF-id loads keep part of the id in off
        InsnDecoder.validate(p(i(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_KFUNC_CALL, 2, 77), EXIT));
        InsnDecoder.validate(p(i(0x18, 1, BPF_PSEUDO_BTF_ID, 5, 77), i(0, 0, 0, 0, 0), EXIT));
        // every pseudo source of the 16-byte load
        for (int src = 0; src <= BPF_PSEUDO_MAP_IDX_VALUE; src++) {
            int imm = src == BPF_PSEUDO_FUNC ? 2 : 3; // a callback: slot 0 + 1 + 2 = the second exit
            InsnDecoder.validate(p(i(0x18, 1, src, 0, imm), i(0, 0, 0, 0, 0), EXIT, EXIT));
        }
        // undefined at run time but well formed: division by a zero immediate, shift by 64
        InsnDecoder.validate(p(i(BPF_ALU64 | BPF_DIV | BPF_K, 0, 0, 0, 0), i(BPF_ALU64 | BPF_LSH | BPF_K, 0, 0, 0, 64), EXIT));
        // r10 may be read, stored through and compared
        InsnDecoder.validate(p(i(BPF_ALU64 | BPF_MOV | BPF_X, 1, 10, 0, 0), i(BPF_STX | BPF_MEM | BPF_DW, 10, 10, -8, 0),
                i(BPF_JMP | BPF_JNE | BPF_X, 10, 1, 0, 0), EXIT));
        // the last instruction may be a backward unconditional jump
        InsnDecoder.validate(p(MOV0, EXIT, i(BPF_JMP | BPF_JA, 0, 0, -3, 0)));
        assertEquals(CpuVersion.V4, InsnDecoder.validate(p(MOV0, EXIT, i(BPF_JMP32 | BPF_JA, 0, 0, 0, -3))));
    }

    @Test
    void decodeAtShowsOneInstructionWithoutTheProgramChecks() throws InvalidInsnException {
        long[] prog = p(i(BPF_JMP | BPF_JA, 0, 0, 100, 0), i(0xff, 0, 0, 0, 0));
        DecodedInsn ja = InsnDecoder.decodeAt(prog, 0);
        assertEquals(InsnKind.JA, ja.kind());
        assertEquals(101, ja.target());
        InvalidInsnException e = assertThrows(InvalidInsnException.class, () -> InsnDecoder.decodeAt(prog, 1));
        assertEquals("insn 1: unknown opcode ff", e.getMessage());
    }

    @Test
    void classifiesWithoutValidating() {
        assertEquals(InsnKind.SDIV, InsnKind.of(i(BPF_ALU | BPF_DIV | BPF_K, 0, 0, 1, 3)));
        assertEquals(InsnKind.SMOD, InsnKind.of(i(BPF_ALU64 | BPF_MOD | BPF_X, 0, 1, 1, 0)));
        assertEquals(InsnKind.MOV, InsnKind.of(i(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 3)));
        assertEquals(InsnKind.ATOMIC_XCHG, InsnKind.of(i(BPF_STX | BPF_ATOMIC | BPF_W, 1, 2, 0, BPF_XCHG)));
        assertEquals(InsnKind.LD_ABS, InsnKind.of(i(BPF_LD | BPF_ABS | BPF_W, 0, 0, 0, 3)));
        assertEquals(InsnKind.CALL_LOCAL, InsnKind.of(i(BPF_JMP | BPF_CALL, 0, 1, 0, 3)));
        assertNull(InsnKind.of(i(BPF_JMP | BPF_CALL, 0, 3, 0, 3)));
        assertNull(InsnKind.of(i(BPF_STX | BPF_ATOMIC | BPF_W, 1, 2, 0, 0x31)));
        assertNull(InsnKind.of(i(BPF_LD | BPF_IMM | BPF_W, 0, 0, 0, 0)));
        for (int code = 0; code < 256; code++) {
            // every opcode in the kernel's table classifies (with neutral fields)
            long w = i(code, 0, 0, 0, (code & 0xe7) == 0xc3 ? BPF_ADD : (code & 0xf7) == 0xd4 || code == 0xd7 ? 16 : 0);
            if (InsnDecoder.inInsnTable(code)) assertNotNull(InsnKind.of(w), String.format("%02x", code));
        }
    }
}
