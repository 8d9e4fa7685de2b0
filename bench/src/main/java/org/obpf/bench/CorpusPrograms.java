package org.obpf.bench;

import static org.obpf.api.insn.Opcodes.BPF_DW;
import static org.obpf.api.insn.Opcodes.BPF_IMM;
import static org.obpf.api.insn.Opcodes.BPF_LD;
import static org.obpf.api.insn.Opcodes.BPF_PSEUDO_MAP_FD;
import static org.obpf.api.insn.Opcodes.BPF_PSEUDO_MAP_IDX;
import static org.obpf.api.insn.Opcodes.BPF_PSEUDO_MAP_IDX_VALUE;
import static org.obpf.api.insn.Opcodes.BPF_PSEUDO_MAP_VALUE;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.obpf.api.BpfException;
import org.obpf.api.insn.Insn;
import org.obpf.api.map.MapSpec;
import org.obpf.api.obj.BpfObject;
import org.obpf.api.obj.MapDefinition;
import org.obpf.api.obj.ProgramSpec;
import org.obpf.core.verifier.VerifierOptions;
import org.obpf.kernelref.KernelBpf;
import org.obpf.kernelref.ProgLoadAttr;
import org.obpf.loader.ElfObjectLoader;

/**
 * Every program of the loader corpus ({@code corpus/index.txt}, objects loaded by OBPF's
 * {@link ElfObjectLoader}) with its maps, ready for OBPF's verifier and, through kernel-ref, the
 * kernel's.
 */
final class CorpusPrograms {
    private CorpusPrograms() {}

    /**
     * One program: {@code lddw src 5/6, imm K} name the K-th of {@code maps}; {@code innerMaps}
     * are the inner map templates of the map-in-maps among them, by index.
     */
    record Entry(String name, ProgramSpec spec, List<MapSpec> maps, Map<Integer, MapSpec> innerMaps) {
        VerifierOptions options() {
            return VerifierOptions.of(spec.type(), maps).withInnerMaps(innerMaps);
        }

        /** For the kernel: src 5/6 become src 1/2 (K stays, kernel-ref binds it to the map's fd). */
        ProgLoadAttr kernelAttr(int logLevel) {
            long[] out = spec.insns();
            for (int pc = 0; pc < out.length; pc++) {
                if (Insn.code(out[pc]) != (BPF_LD | BPF_IMM | BPF_DW)) continue;
                int src = Insn.src(out[pc]);
                if (src == BPF_PSEUDO_MAP_IDX || src == BPF_PSEUDO_MAP_IDX_VALUE) {
                    int newSrc = src == BPF_PSEUDO_MAP_IDX ? BPF_PSEUDO_MAP_FD : BPF_PSEUDO_MAP_VALUE;
                    out[pc] = (out[pc] & ~(0xfL << 12)) | ((long) newSrc << 12);
                }
                pc++;
            }
            ProgLoadAttr a = ProgLoadAttr.of(spec.type(), out).withLog(logLevel, ProgLoadAttr.DEFAULT_LOG_SIZE);
            if (spec.expectedAttachType().isPresent()) a = a.withExpectedAttachType(spec.expectedAttachType().get().kernelId());
            if (spec.sleepable()) a = a.withProgFlags(a.progFlags() | KernelBpf.BPF_F_SLEEPABLE);
            return a;
        }
    }

    static List<Entry> all() {
        List<Entry> out = new ArrayList<>();
        for (String name : index()) {
            BpfObject obj = object(name);
            List<MapSpec> maps = obj.maps().stream().map(MapDefinition::spec).toList();
            Map<Integer, MapSpec> inner = new HashMap<>();
            for (int i = 0; i < obj.maps().size(); i++) {
                int k = i;
                obj.maps().get(i).innerMap().ifPresent(d -> inner.put(k, d.spec()));
            }
            for (ProgramSpec p : obj.programs()) out.add(new Entry(name + "/" + p.name(), p, maps, inner));
        }
        return out;
    }

    /** The corpus objects' names, from corpus/index.txt on the class path. */
    static List<String> index() {
        try (InputStream in = CorpusPrograms.class.getClassLoader().getResourceAsStream("corpus/index.txt")) {
            if (in == null) throw new IllegalStateException("corpus/index.txt is not on the class path");
            return new String(in.readAllBytes()).lines().map(String::strip).filter(s -> !s.isEmpty() && !s.startsWith("#")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A corpus object, loaded by OBPF's loader. */
    static BpfObject object(String name) {
        String res = "corpus/" + name + ".o";
        try (InputStream in = CorpusPrograms.class.getClassLoader().getResourceAsStream(res)) {
            if (in == null) throw new IllegalStateException(res + " is not on the class path");
            return new ElfObjectLoader().load(name + ".o", in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (BpfException e) {
            throw new IllegalStateException("loading " + res + ": " + e.getMessage(), e);
        }
    }
}
