package org.obpf.offload.rfpc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
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
import org.obpf.core.conformance.ConformanceSuite.TestCase;
import org.obpf.core.conformance.Engine;
import org.obpf.core.offload.DeviceEngine;
import org.obpf.jit.riscv.Rv32JitBackend;

/**
 * The whole conformance suite offloaded to a simulated RFPC, compiled by jit-riscv's riscv32
 * back-end unchanged: dynamic offload (core's DeviceEngine, what {@code conformance-plugin
 * --engine rfpc} runs) and static offload (linked by the back-end at code memory the device
 * reserved). Skipped: {@code callx} (not RFC 9669) only; the atomics, 32- and 64-bit, are calls to
 * the device's firmware atomic routines (RV32IMC has no A extension).
 */
class RfpcConformanceTest {
    static ConformanceSuite suite;

    @BeforeAll
    static void load() {
        suite = ConformanceSuite.load(ConformanceSuite.locate(Path.of("")).orElseThrow(() -> new IllegalStateException(
                "conformance suite not found above " + Path.of("").toAbsolutePath())));
    }

    static void assertWholeSuite(Engine engine) {
        List<Outcome> outcomes = suite.cases().stream().map(tc -> ConformanceSuite.run(engine, tc)).toList();
        Map<Status, List<String>> by = outcomes.stream().collect(Collectors.groupingBy(Outcome::status,
                Collectors.mapping(Outcome::name, Collectors.toList())));
        List<String> skipped = suite.cases().stream().filter(tc -> tc.name().equals("callx.data"))
                .map(TestCase::name).sorted().toList();
        assertEquals(List.of("callx.data"), skipped);
        assertEquals(List.of(), outcomes.stream().filter(o -> o.status() == Status.FAIL || o.status() == Status.ERROR)
                .map(Outcome::toString).toList());
        assertEquals(skipped, by.get(Status.SKIP).stream().sorted().toList());
        assertEquals(suite.cases().size() - skipped.size(), by.get(Status.PASS).size());
    }

    @Test
    void dynamicOffloadPassesTheSuite() {
        RfpcDevice dev = new RfpcDevice(RfpcConfig.small("rfpc"));
        DeviceEngine engine = new DeviceEngine(dev, new Rv32JitBackend());
        assertEquals(Engine.RFC9669_GROUPS, engine.groups());
        assertWholeSuite(engine);
        assertEquals(dev.config().codeBytes(), dev.codeFree(), "every program was unloaded");
    }

    @Test
    void staticOffloadPassesTheSuite() {
        RfpcDevice dev = new RfpcDevice(RfpcConfig.small("rfpc-static"));
        JitBackend rv32 = new Rv32JitBackend();
        Engine engine = new Engine() {
            @Override
            public String name() {
                return "rfpc-static";
            }

            @Override
            public Set<String> groups() {
                return Engine.RFC9669_GROUPS;
            }

            @Override
            public long run(long[] program, byte[] memory) throws BpfException {
                try {
                    RelocatableImage image = rv32.compile(dev.forDevice(new CompileRequest("conformance", ProgramType.XDP,
                            program, null, null, false, CompileOptions.DEFAULT)));
                    long at = dev.reserveCode(image.size());
                    try (RfpcProgram p = dev.loadStatic("conformance", ProgramType.XDP, rv32.link(image, dev.symbols(at, image, List.of())))) {
                        return p.runWithMemory(memory);
                    }
                } catch (BpfException e) {
                    throw e;
                } catch (Exception e) {
                    throw new BpfException(org.obpf.api.Errno.EINVAL, e.getMessage(), e);
                }
            }
        };
        assertWholeSuite(engine);
    }
}
