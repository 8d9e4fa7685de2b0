package org.obpf.kernelref;

import java.util.List;
import java.util.Optional;
import org.obpf.api.map.MapSpec;
import org.obpf.api.prog.ProgramType;

/** The kernel verifier as an oracle: verdict, log and statistics for a program. */
public final class KernelVerifier {
    private KernelVerifier() {}

    /**
     * Loads {@code insns} as a GPL program of {@code type} at log level 1 + BPF_LOG_STATS, with
     * {@code maps} created for its {@code lddw src 1} references (imm K = the K-th map), and
     * unloads it again.
     *
     * @throws KernelBpfException if a map cannot be created: that is not a verdict on the program
     */
    public static KernelVerdict verify(ProgramType type, long[] insns, List<MapSpec> maps) throws KernelBpfException {
        return verify(ProgLoadAttr.of(type, insns), maps);
    }

    /**
     * {@link #verify(ProgramType, long[], List)} with every load attribute given (flags, attach type,
     * log level). A program that passes callbacks gets the func_info the kernel demands ({@link SubprogBtf}).
     */
    public static KernelVerdict verify(ProgLoadAttr attr, List<MapSpec> maps) throws KernelBpfException {
        return verify(attr, maps, java.util.Map.of());
    }

    /** With the inner map templates of map-in-maps among {@code maps}, by index ({@code inner_map_fd}). */
    public static KernelVerdict verify(ProgLoadAttr attr, List<MapSpec> maps, java.util.Map<Integer, MapSpec> innerMaps) throws KernelBpfException {
        List<KernelMap> created = KernelProgram.createMaps(maps, innerMaps);
        try {
            KernelBpf.Loaded loaded;
            try {
                ProgLoadAttr bound = attr.withInsns(KernelProgram.bindMaps(attr.insns(), created));
                loaded = SubprogBtf.needed(bound.insns())
                        ? SubprogBtf.progLoad(bound, SubprogBtf.subprogStarts(bound.insns()))
                        : KernelBpf.progLoad(bound);
            } catch (KernelBpfException refused) {
                return new KernelVerdict(false, refused.rawErrno(), refused.verifierLog(),
                        VerifierStats.parse(refused.verifierLog()), Optional.empty());
            }
            try {
                ProgInfo info = KernelBpf.progInfo(loaded.fd());
                return new KernelVerdict(true, 0, loaded.log(), VerifierStats.parse(loaded.log()), Optional.of(info));
            } finally {
                KernelBpf.close(loaded.fd());
            }
        } finally {
            for (KernelMap m : created) m.close();
        }
    }
}
