package org.obpf.offload.nfp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.obpf.api.BpfException;
import org.obpf.api.jit.CompileOptions;
import org.obpf.api.jit.CompileRequest;
import org.obpf.api.jit.JitBackend;
import org.obpf.api.jit.RelocatableImage;
import org.obpf.api.prog.ProgramType;
import org.obpf.core.conformance.ConformanceSuite;
import org.obpf.core.conformance.ConformanceSuite.Outcome;
import org.obpf.core.conformance.ConformanceSuite.Status;
import org.obpf.core.conformance.Engine;
import org.obpf.core.offload.DeviceEngine;
import org.obpf.jit.nfp.NfpJitBackend;

/**
 * The conformance suite on the simulated NFP, compiled by jit-nfp unchanged: every program the
 * back-end compiles must give the expected r0 (the interpreter's result), by dynamic offload
 * (core's DeviceEngine, what {@code conformance-plugin --engine nfp} runs) and by static
 * offload. What does not run is listed with its reason in {@code conformance-nfp.txt}: the
 * back-end's refusal, or the device's (no test memory: an NFP program's context is a packet).
 */
class NfpConformanceTest {
    static ConformanceSuite suite;

    @BeforeAll
    static void load() {
        suite = ConformanceSuite.load(ConformanceSuite.locate(Path.of("")).orElseThrow(() -> new IllegalStateException(
                "conformance suite not found above " + Path.of("").toAbsolutePath())));
    }

    /** One line per test that did not pass: name, then the reason without the device prefix. */
    static String report(Engine engine) {
        StringBuilder sb = new StringBuilder();
        int pass = 0;
        List<String> failures = new ArrayList<>();
        for (var tc : suite.cases()) {
            Outcome o = ConformanceSuite.run(engine, tc);
            switch (o.status()) {
                case PASS -> pass++;
                case FAIL -> failures.add(o.toString());
                case ERROR, SKIP -> {
                    if (o.detail().contains("instruction limit") || o.detail().contains("EFAULT")) failures.add(o.toString());
                    sb.append(o.name()).append(": ").append(reason(o.detail())).append('\n');
                }
            }
        }
        assertEquals(List.of(), failures, "programs the NFP ran must give the expected result");
        return "passed " + pass + " of " + suite.cases().size() + "\n" + sb;
    }

    private static String reason(String detail) {
        return detail.replaceFirst("^[\\w.]+Exception: ", "").replaceFirst("^(EINVAL|EOPNOTSUPP): ", "")
                .replaceFirst("^nfp(-static)?: ", "").replace("nfp-static", "nfp");
    }

    static String golden() throws IOException {
        try (InputStream in = NfpConformanceTest.class.getResourceAsStream("/conformance-nfp.txt")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(l -> !l.startsWith("#"))
                    .map(l -> l + "\n").reduce("", String::concat);
        }
    }

    static void check(String got) throws IOException {
        String out = System.getProperty("nfp.golden.out");
        if (out != null) Files.writeString(Path.of(out), got);
        assertEquals(golden(), got);
    }

    @Test
    void dynamicOffload() throws IOException {
        NfpDevice dev = new NfpDevice("nfp", 1 << 20);
        DeviceEngine engine = new DeviceEngine(dev, new NfpJitBackend());
        assertEquals(Set.of("atomic32", "atomic64", "base32", "base64", "divmul32", "divmul64"), engine.groups());
        check(report(engine));
        assertEquals(NfpDevice.FW_WORD, dev.codeFreeWords(), "every program was unloaded");
    }

    @Test
    void staticOffload() throws IOException {
        NfpDevice dev = new NfpDevice("nfp-static", 1 << 20);
        JitBackend nfp = new NfpJitBackend();
        Engine engine = new Engine() {
            @Override
            public String name() {
                return "nfp-static";
            }

            @Override
            public Set<String> groups() {
                return Set.of("atomic32", "atomic64", "base32", "base64", "divmul32", "divmul64");
            }

            @Override
            public long run(long[] program, byte[] memory) throws BpfException {
                RelocatableImage image;
                try {
                    image = nfp.compile(new CompileRequest("conformance", ProgramType.XDP, program, null, null, false, CompileOptions.DEFAULT));
                } catch (org.obpf.api.jit.JitException e) {
                    throw new BpfException(org.obpf.api.Errno.EINVAL, e.getMessage(), e);
                }
                long at = dev.reserveCode(image.size());
                try (NfpProgram p = dev.loadStatic("conformance", ProgramType.XDP, nfp.link(image, dev.symbols(at, image, List.of())))) {
                    return p.runWithMemory(memory);
                } catch (org.obpf.api.jit.LinkException e) {
                    throw new BpfException(org.obpf.api.Errno.EINVAL, e.getMessage(), e);
                }
            }
        };
        check(report(engine));
        assertEquals(NfpDevice.FW_WORD, dev.codeFreeWords(), "every program was unloaded");
    }
}
