package org.obpf.kernelref;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.obpf.api.insn.Opcodes.BPF_DW;
import static org.obpf.api.insn.Opcodes.BPF_IMM;
import static org.obpf.api.insn.Opcodes.BPF_LD;
import static org.obpf.api.insn.Opcodes.BPF_PSEUDO_MAP_FD;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.obpf.api.insn.Insn;
import org.obpf.api.text.Disassembler;
import org.obpf.core.verifier.Verifier;
import org.obpf.core.verifier.VerifierOptions;
import org.obpf.core.verifier.VerifierResult;

/**
 * Seeded random programs ({@link RandomPrograms}) through OBPF's verifier and the kernel's: the
 * verdicts must agree. OBPF runs with the kernel's privileged policy (uninitialised stack
 * readable); programs with sub-programs get BTF func_info on the kernel side, as a loader with the
 * object's BTF gives it. The system property {@code obpf.random.count} changes the number of
 * programs (default 3000), {@code obpf.random.seed} the seed.
 */
class RandomVerifierDifferentialTest {
    static final int COUNT = Integer.getInteger("obpf.random.count", 3000);
    static final long SEED = Long.getLong("obpf.random.seed", 0x0b9fL);

    /** The program with {@code lddw src 1, imm K} bound to the K-th map's fd. */
    static long[] bind(long[] insns, List<KernelMap> maps) {
        long[] out = insns.clone();
        for (int pc = 0; pc < out.length; pc++) {
            if (Insn.code(out[pc]) != (BPF_LD | BPF_IMM | BPF_DW)) continue;
            if (Insn.src(out[pc]) == BPF_PSEUDO_MAP_FD) out[pc] = Insn.withImm(out[pc], maps.get(Insn.imm(out[pc])).fd());
            pc++;
        }
        return out;
    }

    static KernelVerdict kernel(RandomPrograms.Generated g, List<KernelMap> maps, int logLevel) {
        long[] insns = bind(g.insns(), maps);
        ProgLoadAttr attr = ProgLoadAttr.of(g.type(), insns);
        attr = logLevel == 0 ? attr.withLog(0, 0) : attr;
        List<Integer> starts = SubprogBtf.subprogStarts(insns);
        try {
            KernelBpf.Loaded l = starts.size() > 1 ? SubprogBtf.progLoad(attr, starts) : KernelBpf.progLoad(attr);
            KernelBpf.close(l.fd());
            return new KernelVerdict(true, 0, l.log(), VerifierStats.parse(l.log()), java.util.Optional.empty());
        } catch (KernelBpfException e) {
            String log = e.verifierLog() == null ? "" : e.verifierLog();
            return new KernelVerdict(false, e.rawErrno(), log, VerifierStats.parse(log), java.util.Optional.empty());
        }
    }

    static VerifierResult obpf(RandomPrograms.Generated g, int logLevel) {
        return Verifier.verify(g.insns(), VerifierOptions.of(g.type(), RandomPrograms.MAPS)
                .withAllowUninitStack(true).withLogLevel(logLevel));
    }

    /**
     * The one documented difference: a call of a helper number the kernel does not have
     * (&ge; __BPF_FUNC_MAX_ID) on a path no execution takes. OBPF's instruction decoder (api)
     * refuses it before verification, the kernel only on paths it walks (and then removes the dead
     * code); OBPF's prelinker has no dead-code removal and would refuse it anyway.
     */
    static boolean deadUnknownHelper(VerifierResult ours) {
        return ours.processed() == 0 && ours.error().startsWith("invalid func unknown#");
    }

    static String listing(long[] insns) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < insns.length; i++) {
            sb.append(String.format("  %3d: %s%n", i, Disassembler.format(insns, i)));
            if (Insn.code(insns[i]) == (BPF_LD | BPF_IMM | BPF_DW)) i++;
        }
        return sb.toString();
    }

    @Test
    void obpfAndTheKernelGiveEveryRandomProgramTheSameVerdict() throws Exception {
        Kernel.require();
        List<KernelMap> maps = KernelProgram.createMaps(RandomPrograms.MAPS);
        try {
            RandomPrograms gen = new RandomPrograms(SEED);
            int bothAccept = 0;
            int bothReject = 0;
            int unknownHelper = 0;
            long obpfNanos = 0;
            List<String> disagreements = new ArrayList<>();
            Map<String, Integer> kinds = new TreeMap<>();
            Map<String, Integer> rejectReasons = new TreeMap<>();
            long slowest = 0;
            String slowestRecipe = "";
            for (int i = 0; i < COUNT; i++) {
                RandomPrograms.Generated g = gen.next();
                long t0 = System.nanoTime();
                VerifierResult ours = obpf(g, 0);
                long dt = System.nanoTime() - t0;
                obpfNanos += dt;
                if (dt > slowest) {
                    slowest = dt;
                    slowestRecipe = "#" + g.index() + " " + ours + " [" + g.recipe() + "]";
                }
                KernelVerdict k = kernel(g, maps, 0);
                if (!ours.accepted() && k.accepted() && deadUnknownHelper(ours)) {
                    unknownHelper++;
                    continue;
                }
                if (ours.accepted() == k.accepted()) {
                    if (ours.accepted()) bothAccept++;
                    else {
                        bothReject++;
                        rejectReasons.merge(ours.error().replaceAll("-?\\d+", "N").lines().findFirst().orElse(""), 1, Integer::sum);
                    }
                    continue;
                }
                KernelVerdict kl = kernel(g, maps, 1);
                VerifierResult ol = obpf(g, 1);
                String kind = (ours.accepted() ? "obpf accepts, kernel: " + kl.reason() : "kernel accepts, obpf: " + ol.error());
                kinds.merge(kind.replaceAll("\\d+", "N"), 1, Integer::sum);
                if (disagreements.size() < 12) {
                    disagreements.add("#" + g.index() + " " + g.type().kernelName() + " [" + g.recipe() + "]\n" + kind + "\n"
                            + listing(g.insns()) + "--- obpf:\n" + ol.log() + "--- kernel:\n" + kl.log());
                }
            }
            int disagree = COUNT - bothAccept - bothReject - unknownHelper;
            System.out.printf("random programs (seed %#x): %d, both accept %d, both reject %d, disagree %d, "
                    + "documented difference (unknown helper on a dead path) %d; OBPF %.1f us/program%n",
                    SEED, COUNT, bothAccept, bothReject, disagree, unknownHelper, obpfNanos / 1e3 / COUNT);
            System.out.println("slowest for OBPF: " + slowest / 1000 + " us: " + slowestRecipe);
            System.out.println("why both reject:");
            rejectReasons.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue())
                    .forEach(e -> System.out.println("  " + e.getValue() + " x " + e.getKey()));
            System.out.println("disagreements:");
            kinds.forEach((k, n) -> System.out.println("  " + n + " x " + k));
            disagreements.forEach(System.out::println);
            assertTrue(bothAccept > COUNT / 10 && bothReject > COUNT / 10, "both verdicts common: " + bothAccept + "/" + bothReject);
            assertEquals(0, disagree, "disagreements: " + kinds);
        } finally {
            for (KernelMap m : maps) m.close();
        }
    }
}
