package org.obpf.kernelref;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.obpf.api.insn.Opcodes.BPF_DW;
import static org.obpf.api.insn.Opcodes.BPF_IMM;
import static org.obpf.api.insn.Opcodes.BPF_LD;
import static org.obpf.api.insn.Opcodes.BPF_PSEUDO_MAP_FD;
import static org.obpf.api.insn.Opcodes.BPF_PSEUDO_MAP_IDX;
import static org.obpf.api.insn.Opcodes.BPF_PSEUDO_MAP_IDX_VALUE;
import static org.obpf.api.insn.Opcodes.BPF_PSEUDO_MAP_VALUE;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.obpf.api.insn.Insn;
import org.obpf.api.map.MapSpec;
import org.obpf.api.obj.BpfObject;
import org.obpf.api.obj.MapDefinition;
import org.obpf.api.obj.ProgramSpec;
import org.obpf.core.verifier.Verifier;
import org.obpf.core.verifier.VerifierOptions;
import org.obpf.core.verifier.VerifierResult;

/**
 * The loader corpus through OBPF's verifier and the kernel's: every program of every object
 * ({@code corpus/index.txt}), as the loader gives it, is accepted by both.
 */
class CorpusVerifierTest {

    /**
     * A corpus program with the maps its {@code lddw src 5/6, imm K} name (K = index into the list)
     * and the inner map templates of the map-in-maps among them (by index).
     */
    record CorpusProgram(String object, ProgramSpec spec, List<MapSpec> maps, Map<Integer, MapSpec> innerMaps) {
        String name() {
            return object + "/" + spec.name();
        }

        VerifierResult verifyObpf(int logLevel) {
            return Verifier.verify(spec.insns(), VerifierOptions.of(spec.type(), maps).withLogLevel(logLevel).withInnerMaps(innerMaps));
        }

        /** The program as the kernel takes it: src 5/6 become src 1/2 (map fd / map value), K stays for {@link KernelVerifier}. */
        ProgLoadAttr kernelAttr() {
            ProgLoadAttr a = ProgLoadAttr.of(spec.type(), byMapOrdinal(spec.insns()));
            if (spec.expectedAttachType().isPresent()) a = a.withExpectedAttachType(spec.expectedAttachType().get().kernelId());
            if (spec.sleepable()) a = a.withProgFlags(a.progFlags() | KernelBpf.BPF_F_SLEEPABLE);
            return a;
        }

        KernelVerdict verifyKernel() throws KernelBpfException {
            return KernelVerifier.verify(kernelAttr(), maps, innerMaps);
        }
    }

    static long[] byMapOrdinal(long[] insns) {
        long[] out = insns.clone();
        for (int pc = 0; pc < out.length; pc++) {
            if (Insn.code(out[pc]) != (BPF_LD | BPF_IMM | BPF_DW)) continue;
            int src = Insn.src(out[pc]);
            if (src == BPF_PSEUDO_MAP_IDX || src == BPF_PSEUDO_MAP_IDX_VALUE) {
                int newSrc = src == BPF_PSEUDO_MAP_IDX ? BPF_PSEUDO_MAP_FD : BPF_PSEUDO_MAP_VALUE;
                out[pc] = (out[pc] & ~(0xfL << 12)) | ((long) newSrc << 12);
            }
            pc++;
        }
        return out;
    }

    /** Every program of every corpus object. */
    static List<CorpusProgram> all() {
        List<CorpusProgram> out = new ArrayList<>();
        for (String name : CorpusHarness.index()) {
            BpfObject obj = CorpusHarness.object(name);
            List<MapSpec> maps = obj.maps().stream().map(MapDefinition::spec).toList();
            Map<Integer, MapSpec> inner = new java.util.HashMap<>();
            for (int i = 0; i < maps.size(); i++) {
                int k = i;
                obj.maps().get(i).innerMap().ifPresent(d -> inner.put(k, d.spec()));
            }
            for (ProgramSpec p : obj.programs()) out.add(new CorpusProgram(name, p, maps, inner));
        }
        return out;
    }

    /**
     * Programs the kernel-side harness cannot load, with the reason (kernel-ref's map creation,
     * not the verifier). OBPF's verdict on them is still checked.
     */
    static final Map<String, String> KERNEL_CANNOT_LOAD = Map.of();

    /** Corpus programs OBPF's verifier refuses, with the complaint: features OBPF does not have. */
    static final Map<String, String> OBPF_REFUSES = Map.of();

    @Test
    void obpfAcceptsEveryCorpusProgram() {
        List<CorpusProgram> progs = all();
        List<String> refused = new ArrayList<>();
        for (CorpusProgram p : progs) {
            VerifierResult r = p.verifyObpf(1);
            if (OBPF_REFUSES.containsKey(p.name())) {
                assertTrue(!r.accepted() && r.error().contains(OBPF_REFUSES.get(p.name())), () -> p.name() + ": " + r);
                continue;
            }
            if (!r.accepted()) refused.add(p.name() + ": insn " + r.errorInsn() + ": " + r.error() + "\n" + r.log());
        }
        assertTrue(progs.size() >= 38, "corpus programs: " + progs.size());
        assertEquals(List.of(), refused, "OBPF refuses corpus programs");
    }

    @Test
    void kernelAcceptsEveryCorpusProgramAsObpfDoes() throws Exception {
        Kernel.require();
        int both = 0;
        List<String> disagree = new ArrayList<>();
        StringBuilder table = new StringBuilder(String.format("%-36s %10s %10s%n", "program", "obpf", "kernel"));
        for (CorpusProgram p : all()) {
            VerifierResult ours = p.verifyObpf(0);
            if (KERNEL_CANNOT_LOAD.containsKey(p.name())) {
                table.append(String.format("%-36s %10s %10s  (%s)%n", p.name(), verdict(ours.accepted()), "-",
                        KERNEL_CANNOT_LOAD.get(p.name())));
                continue;
            }
            KernelVerdict k = p.verifyKernel();
            table.append(String.format("%-36s %10s %10s%n", p.name(), verdict(ours.accepted()), verdict(k.accepted())));
            if (ours.accepted() && k.accepted()) both++;
            else disagree.add(p.name() + ": obpf " + ours + "; kernel " + k + "\n" + k.log());
        }
        System.out.print(table);
        System.out.println("corpus: both accept " + both + ", disagree " + disagree.size() + ", kernel cannot load "
                + KERNEL_CANNOT_LOAD.size());
        assertEquals(List.of(), disagree);
    }

    static String verdict(boolean accepted) {
        return accepted ? "accept" : "REJECT";
    }
}
