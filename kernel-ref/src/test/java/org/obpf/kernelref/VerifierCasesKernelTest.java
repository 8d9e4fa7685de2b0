package org.obpf.kernelref;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.obpf.api.insn.Opcodes.BPF_DW;
import static org.obpf.api.insn.Opcodes.BPF_IMM;
import static org.obpf.api.insn.Opcodes.BPF_LD;
import static org.obpf.api.insn.Opcodes.BPF_PSEUDO_MAP_FD;
import static org.obpf.api.insn.Opcodes.BPF_PSEUDO_MAP_VALUE;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.obpf.api.insn.Insn;
import org.obpf.core.verifier.Verifier;
import org.obpf.core.verifier.VerifierCase;
import org.obpf.core.verifier.VerifierResult;

/**
 * The verifier's data cases (core's {@code verifier/accept} and {@code verifier/reject}) on the
 * kernel's verifier: each gets the verdict its {@code # result:} line says, unless its
 * {@code # kernel:} line says otherwise and why ({@code accept: reason} or {@code reject: reason}).
 * FLAT cases have no kernel program type and are only counted.
 */
class VerifierCasesKernelTest {

    /** The verdict the kernel should give: the case's own, or the one its {@code # kernel:} line names. */
    static boolean kernelExpects(VerifierCase c) {
        if (c.kernel() == null) return c.accept();
        if (c.kernel().startsWith("accept")) return true;
        if (c.kernel().startsWith("reject")) return false;
        throw new IllegalArgumentException(c.name() + ": '# kernel:' must start with accept or reject: " + c.kernel());
    }

    /**
     * {@link KernelVerifier#verify} of the case, except that a {@code lddw} naming a map the case
     * does not have gets fd -1 (cases check that the verifier refuses such references), and a
     * program with sub-programs gets BTF func_info as a loader with the object's BTF gives it
     * (without, the kernel refuses tail calls and LD_ABS in sub-programs: check_abnormal_return).
     */
    static KernelVerdict kernelVerify(VerifierCase c) throws KernelBpfException {
        return kernelVerify(c, false);
    }

    /**
     * With {@code log} false, no verifier log (the verdict only: a log of a path to the 1M limit
     * costs the kernel tens of seconds of buffer regrowth).
     */
    static KernelVerdict kernelVerify(VerifierCase c, boolean log) throws KernelBpfException {
        List<KernelMap> maps = KernelProgram.createMaps(c.maps(), c.innerMaps());
        try {
            long[] insns = c.prog().clone();
            for (int pc = 0; pc < insns.length; pc++) {
                if (Insn.code(insns[pc]) != (BPF_LD | BPF_IMM | BPF_DW)) continue;
                int src = Insn.src(insns[pc]);
                if (src == BPF_PSEUDO_MAP_FD || src == BPF_PSEUDO_MAP_VALUE) {
                    int k = Insn.imm(insns[pc]);
                    insns[pc] = Insn.withImm(insns[pc], k >= 0 && k < maps.size() ? maps.get(k).fd() : -1);
                }
                pc++;
            }
            ProgLoadAttr attr = ProgLoadAttr.of(c.type(), insns);
            if (!log) attr = attr.withLog(0, 0);
            try {
                List<Integer> starts = SubprogBtf.subprogStarts(insns);
                KernelBpf.Loaded loaded = SubprogBtf.needed(insns) || starts.size() > 1 ? SubprogBtf.progLoad(attr, starts)
                        : KernelBpf.progLoad(attr);
                KernelBpf.close(loaded.fd());
                return new KernelVerdict(true, 0, loaded.log(), VerifierStats.parse(loaded.log()), Optional.empty());
            } catch (KernelBpfException refused) {
                return new KernelVerdict(false, refused.rawErrno(), refused.verifierLog(),
                        VerifierStats.parse(refused.verifierLog()), Optional.empty());
            }
        } finally {
            for (KernelMap m : maps) m.close();
        }
    }

    @Test
    void theKernelGivesEveryCaseItsVerdict() throws Exception {
        Kernel.require();
        List<VerifierCase> cases = new ArrayList<>(VerifierCase.all("reject"));
        int rejectCases = cases.size();
        cases.addAll(VerifierCase.all("accept"));
        int agree = 0;
        int quirks = 0;
        int flat = 0;
        List<String> wrong = new ArrayList<>();
        for (VerifierCase c : cases) {
            if (c.type().kernelId() < 0) {
                flat++;
                continue;
            }
            KernelVerdict k = kernelVerify(c);
            boolean expected = kernelExpects(c);
            // OBPF with the kernel's privileged policy (uninitialised stack readable) gives the kernel's verdict
            VerifierResult asKernel = Verifier.verify(c.prog(), c.options(0).withAllowUninitStack(true));
            boolean comparable = c.kernel() == null || c.kernel().contains("allow_uninit_stack");
            if (k.accepted() != expected) {
                VerifierResult ours = Verifier.verify(c.prog(), c.options(0));
                wrong.add(c.name() + " (" + c.title() + "): kernel " + kernelVerify(c, true) + ", expected " + (expected ? "accept" : "reject")
                        + "; OBPF: " + ours);
            } else if (comparable && asKernel.accepted() != k.accepted()) {
                wrong.add(c.name() + " (" + c.title() + "): kernel " + kernelVerify(c, true) + ", OBPF with allow-uninit-stack " + asKernel);
            } else if (c.kernel() != null) {
                quirks++;
            } else {
                agree++;
            }
        }
        System.out.printf("verifier cases on the kernel: %d reject + %d accept cases; same verdict %d, "
                + "different verdict explained by '# kernel:' %d, FLAT (no kernel type) %d, unexplained %d%n",
                rejectCases, cases.size() - rejectCases, agree, quirks, flat, wrong.size());
        assertTrue(rejectCases >= 40);
        assertEquals(List.of(), wrong, () -> String.join("\n", wrong));
    }
}
