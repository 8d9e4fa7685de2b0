package org.obpf.api.insn;

import static org.obpf.api.insn.Opcodes.*;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Decodes and validates programs ({@code long[]} of 8-byte slots) the way the Linux verifier's
 * structural passes do before any abstract interpretation: the opcode table and the 16-byte load
 * form ({@code resolve_pseudo_ldimm64}), the reserved fields and register numbers of every
 * instruction ({@code do_check}, {@code check_alu_op}, {@code check_reg_arg} ...), helper numbers,
 * then sub-programs and jump ranges ({@code check_subprogs}). Refusals carry the kernel's words.
 *
 * <p>Not checked here, because RFC 9669 defines their run-time result and the conformance suite
 * runs them: division by a zero immediate and shifts by an immediate out of range (the kernel's
 * verifier refuses both; OBPF's verifier in core applies that policy).
 */
public final class InsnDecoder {
    private InsnDecoder() {}

    /**
     * One past the last helper number the kernel knows ({@code __BPF_FUNC_MAX_ID} in
     * {@code include/uapi/linux/bpf.h} of Linux 6.x: the last helper is
     * {@code bpf_cgrp_storage_delete}, 211).
     */
    public static final int BPF_FUNC_MAX_ID = 212;

    /**
     * Validates the whole program and decodes it, one element per instruction (a 16-byte load is
     * one element; its {@link DecodedInsn#index()} is the slot index).
     */
    public static List<DecodedInsn> decode(long[] prog) throws InvalidInsnException {
        validate(prog);
        List<DecodedInsn> out = new ArrayList<>(prog.length);
        for (int pc = 0; pc < prog.length; pc++) {
            DecodedInsn insn = DecodedInsn.of(prog, pc, InsnKind.of(prog[pc]));
            out.add(insn);
            pc += insn.slots() - 1;
        }
        return List.copyOf(out);
    }

    /**
     * Decodes the instruction at {@code pc} without checking the rest of the program (use after
     * {@link #validate(long[])}, or for tools that show invalid programs).
     *
     * @throws InvalidInsnException when the slot is not an instruction or is the second half of
     *                              a truncated 16-byte load
     */
    public static DecodedInsn decodeAt(long[] prog, int pc) throws InvalidInsnException {
        String reason = opcodeReason(prog, pc);
        if (reason != null) throw new InvalidInsnException(pc, reason);
        return DecodedInsn.of(prog, pc, InsnKind.of(prog[pc]));
    }

    /**
     * Checks every instruction and the control flow.
     *
     * @return the lowest {@code -mcpu} level that has every instruction of the program
     */
    public static CpuVersion validate(long[] prog) throws InvalidInsnException {
        int n = prog.length;
        if (n == 0) throw new InvalidInsnException(0, "program has no instructions");
        // Pass 1 (resolve_pseudo_ldimm64): opcode table and the 16-byte load's second slot.
        BitSet secondHalf = new BitSet(n);
        for (int pc = 0; pc < n; pc++) {
            String reason = opcodeReason(prog, pc);
            if (reason != null) throw new InvalidInsnException(pc, reason);
            if (isLdImm64(Insn.code(prog[pc]))) secondHalf.set(++pc);
        }
        // Pass 2 (do_check): fields, registers, helper numbers.
        CpuVersion cpu = CpuVersion.V1;
        BitSet subprogStarts = new BitSet(n + 1);
        subprogStarts.set(0);
        for (int pc = 0; pc < n; pc++) {
            DecodedInsn insn = DecodedInsn.of(prog, pc, InsnKind.of(prog[pc]));
            String reason = fieldReason(insn);
            if (reason != null) throw new InvalidInsnException(pc, reason);
            if (insn.cpu().compareTo(cpu) > 0) cpu = insn.cpu();
            if (insn.kind() == InsnKind.CALL_LOCAL
                    || insn.kind() == InsnKind.LD_IMM64 && insn.src() == BPF_PSEUDO_FUNC) {
                // add_subprog: the target of a BPF-to-BPF call or a callback reference
                long target = (long) pc + 1 + insn.imm();
                if (target < 0 || target >= n) throw new InvalidInsnException(pc, "call to invalid destination");
                if (secondHalf.get((int) target)) {
                    throw new InvalidInsnException(pc, "jump into the middle of ldimm64 insn " + target);
                }
                subprogStarts.set((int) target);
            }
            pc += insn.slots() - 1;
        }
        // Pass 3 (check_subprogs): jumps stay inside their sub-program; none falls through.
        subprogStarts.set(n);
        int start = 0;
        int end = subprogStarts.nextSetBit(1);
        for (int pc = 0; pc < n; pc++) {
            long w = prog[pc];
            InsnKind kind = InsnKind.of(w);
            if (kind.group() == InsnKind.Group.JMP) {
                long target = kind == InsnKind.GOTOL ? (long) pc + 1 + Insn.imm(w) : pc + 1 + Insn.off(w);
                if (target < start || target >= end) {
                    throw new InvalidInsnException(pc, "jump out of range from insn " + pc + " to " + target);
                }
                if (secondHalf.get((int) target)) {
                    throw new InvalidInsnException(pc, "jump into the middle of ldimm64 insn " + target);
                }
            }
            int last = kind == InsnKind.LD_IMM64 ? pc + 1 : pc;
            if (last >= end - 1) {
                if (kind != InsnKind.EXIT && kind != InsnKind.JA && kind != InsnKind.GOTOL) {
                    throw new InvalidInsnException(pc, "last insn is not an exit or jmp");
                }
                start = end;
                end = subprogStarts.nextSetBit(end + 1);
            }
            pc = last;
        }
        return cpu;
    }

    /** The lowest {@code -mcpu} level a valid program needs. */
    public static CpuVersion requiredCpu(long[] prog) throws InvalidInsnException {
        return validate(prog);
    }

    /** Pass 1 for one slot: is the opcode an instruction, and is a 16-byte load complete. */
    private static String opcodeReason(long[] prog, int pc) {
        long w = prog[pc];
        int code = Insn.code(w);
        if (!inInsnTable(code)) {
            if (bpfClass(code) == BPF_LD && bpfMode(code) == BPF_IMM) return "invalid BPF_LD_IMM insn";
            return String.format("unknown opcode %02x", code);
        }
        if (isLdImm64(code)) {
            if (pc == prog.length - 1) return "invalid bpf_ld_imm64 insn";
            long next = prog[pc + 1];
            if (Insn.code(next) != 0 || Insn.dst(next) != 0 || Insn.src(next) != 0 || Insn.off(next) != 0) {
                return "invalid bpf_ld_imm64 insn";
            }
            int src = Insn.src(w);
            if (src > BPF_PSEUDO_MAP_IDX_VALUE
                    || (src == BPF_PSEUDO_MAP_FD || src == BPF_PSEUDO_MAP_IDX) && Insn.imm(next) != 0) {
                return "unrecognized bpf_ld_imm64 insn";
            }
        }
        return null;
    }

    /**
     * The kernel's {@code bpf_opcode_in_insntable()}: the opcodes of RFC 9669 (the kernel's
     * newer non-RFC additions, {@code may_goto}, {@code gotox} and load-acquire, are left out).
     */
    public static boolean inInsnTable(int code) {
        int cls = bpfClass(code);
        switch (cls) {
            case BPF_ALU, BPF_ALU64 -> {
                int op = bpfOp(code);
                if (op == BPF_NEG) return bpfSrc(code) == BPF_K;
                if (op == BPF_END) return cls == BPF_ALU || bpfSrc(code) == BPF_TO_LE;
                return op <= BPF_END;
            }
            case BPF_JMP, BPF_JMP32 -> {
                int op = bpfOp(code);
                if (op == BPF_JA) return bpfSrc(code) == BPF_K;
                if (op == BPF_CALL || op == BPF_EXIT) return cls == BPF_JMP && bpfSrc(code) == BPF_K;
                return op <= BPF_JSLE;
            }
            case BPF_LD -> {
                int mode = bpfMode(code);
                if (mode == BPF_IMM) return bpfSize(code) == BPF_DW;
                return (mode == BPF_ABS || mode == BPF_IND) && bpfSize(code) != BPF_DW;
            }
            case BPF_LDX -> {
                int mode = bpfMode(code);
                return mode == BPF_MEM || mode == BPF_MEMSX && bpfSize(code) != BPF_DW;
            }
            case BPF_ST -> {
                return bpfMode(code) == BPF_MEM;
            }
            default -> { // BPF_STX
                int mode = bpfMode(code);
                return mode == BPF_MEM || mode == BPF_ATOMIC && (bpfSize(code) == BPF_W || bpfSize(code) == BPF_DW);
            }
        }
    }

    /** Pass 2 for one instruction whose opcode is in the table. */
    private static String fieldReason(DecodedInsn insn) {
        int code = insn.code();
        int dst = insn.dst();
        int src = insn.src();
        int off = insn.off();
        int imm = insn.imm();
        String r;
        switch (insn.bpfClass()) {
            case BPF_ALU, BPF_ALU64 -> {
                return aluReason(insn);
            }
            case BPF_JMP, BPF_JMP32 -> {
                return jmpReason(insn);
            }
            case BPF_LD -> {
                if (insn.kind() == InsnKind.LD_IMM64) {
                    // check_ld_imm; PSEUDO_BTF_ID keeps a BTF id in off, see the kernel's comment
                    if (off != 0 && src != BPF_PSEUDO_BTF_ID) return "BPF_LD_IMM64 uses reserved fields";
                    return writeReg(dst);
                }
                // check_ld_abs
                if (dst != BPF_REG_0 || off != 0 || insn.kind() == InsnKind.LD_ABS && src != BPF_REG_0) {
                    return "BPF_LD_[ABS|IND] uses reserved fields";
                }
                return insn.kind() == InsnKind.LD_IND ? readReg(src) : null;
            }
            case BPF_LDX -> {
                if (imm != 0) return "BPF_LDX uses reserved fields";
                if ((r = readReg(src)) != null) return r;
                return writeReg(dst);
            }
            case BPF_ST -> {
                if (src != BPF_REG_0) return "BPF_ST uses reserved fields";
                return readReg(dst);
            }
            default -> { // BPF_STX
                if (bpfMode(code) == BPF_ATOMIC) {
                    // check_atomic
                    if (insn.kind() == null) return String.format("BPF_ATOMIC uses invalid atomic opcode %02x", imm);
                    if ((r = readReg(src)) != null) return r;
                    if ((r = readReg(dst)) != null) return r;
                    return insn.kind().isFetch() ? writeReg(src) : null;
                }
                if (imm != 0) return "BPF_STX uses reserved fields";
                if ((r = readReg(src)) != null) return r;
                return readReg(dst);
            }
        }
    }

    /** check_alu_op: reserved fields first, then the registers. */
    private static String aluReason(DecodedInsn insn) {
        int op = bpfOp(insn.code());
        boolean x = bpfSrc(insn.code()) == BPF_X;
        boolean alu64 = insn.bpfClass() == BPF_ALU64;
        int src = insn.src();
        int off = insn.off();
        int imm = insn.imm();
        String r;
        if (op == BPF_END || op == BPF_NEG) {
            if (op == BPF_NEG) {
                if (x || src != BPF_REG_0 || off != 0 || imm != 0) return "BPF_NEG uses reserved fields";
            } else if (src != BPF_REG_0 || off != 0 || imm != 16 && imm != 32 && imm != 64
                    || alu64 && x) {
                return "BPF_END uses reserved fields";
            }
            if ((r = readReg(insn.dst())) != null) return r;
            return writeReg(insn.dst());
        }
        if (op == BPF_MOV) {
            if (x) {
                boolean offOk = off == 0 || off == 8 || off == 16 || alu64 && off == 32;
                if (!offOk || imm != 0) return "BPF_MOV uses reserved fields";
                if ((r = readReg(src)) != null) return r;
            } else if (src != BPF_REG_0 || off != 0) {
                return "BPF_MOV uses reserved fields";
            }
            return writeReg(insn.dst());
        }
        boolean offOk = off == 0 || off == 1 && (op == BPF_DIV || op == BPF_MOD);
        if (x) {
            if (imm != 0 || !offOk) return "BPF_ALU uses reserved fields";
            if ((r = readReg(src)) != null) return r;
        } else if (src != BPF_REG_0 || !offOk) {
            return "BPF_ALU uses reserved fields";
        }
        if ((r = readReg(insn.dst())) != null) return r;
        return writeReg(insn.dst());
    }

    /** do_check's BPF_JMP branch and check_cond_jmp_op. */
    private static String jmpReason(DecodedInsn insn) {
        int code = insn.code();
        boolean jmp32 = insn.bpfClass() == BPF_JMP32;
        int dst = insn.dst();
        int src = insn.src();
        int off = insn.off();
        int imm = insn.imm();
        String r;
        switch (bpfOp(code)) {
            case BPF_CALL -> {
                if (src != BPF_PSEUDO_KFUNC_CALL && off != 0
                        || src != BPF_HELPER_CALL && src != BPF_PSEUDO_CALL && src != BPF_PSEUDO_KFUNC_CALL
                        || dst != BPF_REG_0) {
                    return "BPF_CALL uses reserved fields";
                }
                if (src == BPF_HELPER_CALL && (imm < 0 || imm >= BPF_FUNC_MAX_ID)) {
                    return "invalid func unknown#" + imm;
                }
                return null;
            }
            case BPF_JA -> {
                if (src != BPF_REG_0 || dst != BPF_REG_0 || !jmp32 && imm != 0 || jmp32 && off != 0) {
                    return "BPF_JA uses reserved fields";
                }
                return null;
            }
            case BPF_EXIT -> {
                if (imm != 0 || src != BPF_REG_0 || dst != BPF_REG_0) return "BPF_EXIT uses reserved fields";
                return null;
            }
            default -> {
                if (bpfSrc(code) == BPF_X) {
                    if (imm != 0) return "BPF_JMP/JMP32 uses reserved fields";
                    if ((r = readReg(src)) != null) return r;
                } else if (src != BPF_REG_0) {
                    return "BPF_JMP/JMP32 uses reserved fields";
                }
                return readReg(dst);
            }
        }
    }

    /** check_reg_arg(SRC_OP). */
    private static String readReg(int reg) {
        return reg >= MAX_BPF_REG ? "R" + reg + " is invalid" : null;
    }

    /** check_reg_arg(DST_OP). */
    private static String writeReg(int reg) {
        if (reg >= MAX_BPF_REG) return "R" + reg + " is invalid";
        return reg == BPF_REG_FP ? "frame pointer is read only" : null;
    }
}
