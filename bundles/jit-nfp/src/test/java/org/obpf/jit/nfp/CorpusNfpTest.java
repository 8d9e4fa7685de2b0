package org.obpf.jit.nfp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.obpf.api.jit.CompileRequest;
import org.obpf.api.jit.Refusal;
import org.obpf.api.jit.RelocatableImage;
import org.obpf.api.obj.BpfObject;
import org.obpf.api.obj.ProgramSpec;
import org.obpf.api.prog.ProgramType;
import org.obpf.loader.ElfObjectLoader;

/**
 * Every XDP and tc program of the loader corpus, as the loader gives it, through the NFP
 * back-end: compiled (and every word disassembled), or refused with every reason. The expected
 * outcome of each is in {@code corpus-nfp.txt}.
 */
class CorpusNfpTest {

    static BpfObject object(String name) throws Exception {
        try (InputStream in = CorpusNfpTest.class.getClassLoader().getResourceAsStream("corpus/" + name + ".o")) {
            return new ElfObjectLoader().load(name + ".o", in.readAllBytes());
        }
    }

    @Test
    void corpusProgramsCompileOrAreRefusedForTheKernelsReasons() throws Exception {
        String index;
        try (InputStream in = CorpusNfpTest.class.getClassLoader().getResourceAsStream("corpus/index.txt")) {
            index = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
        NfpJitBackend jit = new NfpJitBackend();
        Map<String, String> got = new TreeMap<>();
        for (String name : index.strip().split("\n")) {
            BpfObject obj = object(name.strip());
            for (ProgramSpec p : obj.programs()) {
                if (p.type() != ProgramType.XDP && p.type() != ProgramType.SCHED_CLS) continue;
                int[] starts = new int[p.subprograms().size() + 1];
                for (int i = 0; i < p.subprograms().size(); i++) starts[i + 1] = p.subprograms().get(i).start();
                CompileRequest req = new CompileRequest(p.name(), p.type(), p.insns(), starts, null, false, null);
                List<Refusal> reasons = jit.refusals(req);
                String key = name.strip() + "/" + p.name();
                if (reasons.isEmpty()) {
                    RelocatableImage img = jit.compile(req);
                    new NfpDisassembler().listing(img, 0); // every emitted word disassembles
                    got.put(key, "compiled, " + img.size() / 8 + " words");
                } else {
                    got.put(key, String.join("; ", reasons.stream().map(Refusal::detail).toList()));
                }
            }
        }
        StringBuilder sb = new StringBuilder();
        got.forEach((k, v) -> sb.append(k).append(": ").append(v).append('\n'));
        String expected;
        try (InputStream in = CorpusNfpTest.class.getClassLoader().getResourceAsStream("corpus-nfp.txt")) {
            expected = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(l -> !l.startsWith("#") && !l.isBlank()).map(l -> l + "\n").reduce("", String::concat);
        }
        assertEquals(expected, sb.toString());
    }
}
