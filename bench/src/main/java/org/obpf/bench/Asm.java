package org.obpf.bench;

import static org.obpf.api.insn.Opcodes.*;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.obpf.api.insn.Insn;

/** A minimal assembler with labels for the benchmark programs (jump offsets resolved at the end). */
final class Asm {
    private final List<long[]> slots = new ArrayList<>(); // {code, dst, src, off, imm}
    private final Map<String, Integer> labels = new HashMap<>();
    private final Map<Integer, String> fixups = new HashMap<>();

    Asm label(String name) {
        if (labels.put(name, slots.size()) != null) throw new IllegalArgumentException("duplicate label " + name);
        return this;
    }

    Asm insn(int code, int dst, int src, int off, int imm) {
        slots.add(new long[] {code, dst, src, off, imm});
        return this;
    }

    Asm alu64(int op, int dst, int imm) { return insn(BPF_ALU64 | op | BPF_K, dst, 0, 0, imm); }
    Asm alu64x(int op, int dst, int src) { return insn(BPF_ALU64 | op | BPF_X, dst, src, 0, 0); }
    Asm ldx(int size, int dst, int src, int off) { return insn(BPF_LDX | BPF_MEM | size, dst, src, off, 0); }
    Asm stx(int size, int dst, int src, int off) { return insn(BPF_STX | BPF_MEM | size, dst, src, off, 0); }
    Asm exit() { return insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0); }

    Asm jmp(int op, int dst, int imm, String target) {
        fixups.put(slots.size(), target);
        return insn(BPF_JMP | op | BPF_K, dst, 0, 0, imm);
    }

    Asm jmpx(int op, int dst, int src, String target) {
        fixups.put(slots.size(), target);
        return insn(BPF_JMP | op | BPF_X, dst, src, 0, 0);
    }

    Asm ja(String target) {
        return jmp(BPF_JA, 0, 0, target);
    }

    long[] words() {
        long[] out = new long[slots.size()];
        for (int pc = 0; pc < out.length; pc++) {
            long[] s = slots.get(pc);
            int off = (int) s[3];
            String target = fixups.get(pc);
            if (target != null) {
                Integer at = labels.get(target);
                if (at == null) throw new IllegalArgumentException("undefined label " + target);
                off = at - pc - 1;
            }
            out[pc] = Insn.encode((int) s[0], (int) s[1], (int) s[2], off, (int) s[4]);
        }
        return out;
    }
}
