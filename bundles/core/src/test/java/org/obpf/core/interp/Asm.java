package org.obpf.core.interp;

import static org.obpf.api.insn.Opcodes.*;

import java.util.ArrayList;
import java.util.List;
import org.obpf.api.insn.Insn;

/** A few instruction builders for tests, named after the kernel's {@code BPF_*} macros in filter.h. */
final class Asm {
    private final List<Long> words = new ArrayList<>();

    Asm add(long word) {
        words.add(word);
        return this;
    }

    Asm insn(int code, int dst, int src, int off, int imm) {
        return add(Insn.encode(code, dst, src, off, imm));
    }

    Asm alu64Imm(int op, int dst, int imm) { return insn(BPF_ALU64 | op | BPF_K, dst, 0, 0, imm); }
    Asm alu64Reg(int op, int dst, int src) { return insn(BPF_ALU64 | op | BPF_X, dst, src, 0, 0); }
    Asm alu32Imm(int op, int dst, int imm) { return insn(BPF_ALU | op | BPF_K, dst, 0, 0, imm); }
    Asm alu32Reg(int op, int dst, int src) { return insn(BPF_ALU | op | BPF_X, dst, src, 0, 0); }
    Asm mov64(int dst, int imm) { return alu64Imm(BPF_MOV, dst, imm); }
    Asm mov64Reg(int dst, int src) { return alu64Reg(BPF_MOV, dst, src); }

    Asm lddw(int dst, long value) {
        insn(BPF_LD | BPF_IMM | BPF_DW, dst, 0, 0, (int) value);
        return insn(0, 0, 0, 0, (int) (value >>> 32));
    }

    Asm ldx(int size, int dst, int src, int off) { return insn(BPF_LDX | BPF_MEM | size, dst, src, off, 0); }
    Asm stx(int size, int dst, int src, int off) { return insn(BPF_STX | BPF_MEM | size, dst, src, off, 0); }
    Asm st(int size, int dst, int off, int imm) { return insn(BPF_ST | BPF_MEM | size, dst, 0, off, imm); }
    Asm atomic(int size, int dst, int src, int off, int op) { return insn(BPF_STX | BPF_ATOMIC | size, dst, src, off, op); }
    Asm jmpImm(int op, int dst, int imm, int off) { return insn(BPF_JMP | op | BPF_K, dst, 0, off, imm); }
    Asm jmpReg(int op, int dst, int src, int off) { return insn(BPF_JMP | op | BPF_X, dst, src, off, 0); }
    Asm ja(int off) { return insn(BPF_JMP | BPF_JA, 0, 0, off, 0); }
    Asm call(int helper) { return insn(BPF_JMP | BPF_CALL, 0, BPF_HELPER_CALL, 0, helper); }
    Asm callLocal(int rel) { return insn(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, rel); }
    Asm exit() { return insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0); }

    int size() {
        return words.size();
    }

    long[] words() {
        return words.stream().mapToLong(Long::longValue).toArray();
    }
}
