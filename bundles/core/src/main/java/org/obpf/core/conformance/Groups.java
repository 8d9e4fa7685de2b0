package org.obpf.core.conformance;

import static org.obpf.api.insn.Opcodes.*;

import java.util.Set;
import java.util.TreeSet;
import org.obpf.api.insn.Insn;

/**
 * The conformance groups a program needs (RFC 9669 section 2.4 and its opcode table in appendix
 * A), plus the upstream runner's {@code callx} group for the indirect call {@code 0x8d}, which is
 * not part of RFC 9669.
 */
public final class Groups {
    private Groups() {}

    public static final String CALLX = "callx";
    public static final String PACKET = "packet";

    public static Set<String> required(long[] program) {
        Set<String> groups = new TreeSet<>();
        for (int pc = 0; pc < program.length; pc++) {
            int op = Insn.code(program[pc]);
            switch (bpfClass(op)) {
                case BPF_ALU -> groups.add(isDivMul(op) ? "divmul32" : "base32");
                case BPF_ALU64 -> groups.add(isDivMul(op) ? "divmul64" : "base64");
                case BPF_JMP32 -> groups.add("base32");
                case BPF_JMP -> {
                    int o = bpfOp(op);
                    if (op == (BPF_JMP | BPF_CALL | BPF_X)) groups.add(CALLX);
                    else if (o == BPF_JA || o == BPF_CALL || o == BPF_EXIT) groups.add("base32");
                    else groups.add("base64");
                }
                case BPF_LD -> {
                    if (isLdImm64(op)) {
                        groups.add("base64");
                        pc++; // second slot
                    } else {
                        groups.add(PACKET);
                    }
                }
                default -> { // LDX, ST, STX
                    if (bpfMode(op) == BPF_ATOMIC) groups.add(bpfSize(op) == BPF_DW ? "atomic64" : "atomic32");
                    else groups.add(bpfSize(op) == BPF_DW ? "base64" : "base32");
                }
            }
        }
        return groups;
    }

    private static boolean isDivMul(int op) {
        int o = bpfOp(op);
        return o == BPF_MUL || o == BPF_DIV || o == BPF_MOD;
    }
}
