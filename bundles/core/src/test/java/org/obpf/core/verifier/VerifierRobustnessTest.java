package org.obpf.core.verifier;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.obpf.api.insn.Opcodes.*;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.obpf.api.insn.Insn;
import org.obpf.api.insn.InsnKind;
import org.obpf.api.map.MapSpec;
import org.obpf.api.map.MapType;
import org.obpf.api.prog.ProgramType;

/** Random instruction soup for every program type: the verifier answers, it never breaks. */
class VerifierRobustnessTest {
    @Test
    void randomProgramsNeverHitAVerifierBug() {
        Random rnd = new Random(7);
        List<MapSpec> maps = List.of(new MapSpec("h", MapType.HASH, 4, 8, 16, 0), new MapSpec("a", MapType.ARRAY, 4, 16, 4, 0),
                new MapSpec("r", MapType.RINGBUF, 0, 0, 4096, 0), new MapSpec("p", MapType.PROG_ARRAY, 4, 4, 4, 0));
        ProgramType[] types = {ProgramType.XDP, ProgramType.SOCKET_FILTER, ProgramType.SCHED_CLS, ProgramType.CGROUP_SKB,
                ProgramType.KPROBE, ProgramType.RAW_TRACEPOINT, ProgramType.FLAT, ProgramType.SYSCALL};
        int[] helpers = {1, 2, 3, 5, 6, 7, 12, 23, 26, 28, 44, 51, 87, 130, 131, 132, 133, 164, 181, 182};
        for (int round = 0; round < 20000; round++) {
            int n = 2 + rnd.nextInt(20);
            long[] prog = new long[n + 1];
            for (int i = 0; i < n; i++) {
                long w;
                do {
                    int code = rnd.nextInt(256);
                    int dst = rnd.nextInt(11);
                    int src = rnd.nextInt(11);
                    int off = rnd.nextInt(4) == 0 ? rnd.nextInt(65536) - 32768 : rnd.nextInt(40) - 20;
                    int imm = rnd.nextInt(4) == 0 ? rnd.nextInt() : rnd.nextInt(40) - 8;
                    if (bpfClass(code) == BPF_JMP && bpfOp(code) == BPF_CALL) {
                        src = rnd.nextInt(3) == 0 ? BPF_PSEUDO_CALL : 0;
                        dst = 0;
                        off = 0;
                        imm = src == 0 ? helpers[rnd.nextInt(helpers.length)] : rnd.nextInt(8) - 4;
                    }
                    if (isLdImm64(code)) {
                        src = rnd.nextInt(3);
                        imm = rnd.nextInt(5);
                    }
                    w = Insn.encode(code, dst, src, off, imm);
                } while (InsnKind.of(w) == null);
                prog[i] = w;
                if (isLdImm64(Insn.code(w)) && i + 1 < n) prog[++i] = Insn.encode(0, 0, 0, 0, rnd.nextInt(3) == 0 ? 4 : 0);
            }
            prog[n] = Insn.encode(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
            VerifierOptions o = VerifierOptions.of(types[round % types.length], maps).withFlatMemSize(32);
            VerifierResult r = Verifier.verify(prog, o);
            String e = r.error();
            assertFalse(e != null && e.startsWith("verifier bug"), () -> e + "\n" + String.join("\n",
                    org.obpf.api.text.Disassembler.disassemble(prog)));
        }
    }
}
