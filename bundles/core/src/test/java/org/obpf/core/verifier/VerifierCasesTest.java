package org.obpf.core.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The verifier's test suite as data (PREVAIL's way): every {@code .s} (assembler) and
 * {@code .hex} (clang-compiled bytecode) file under
 * {@code verifier/accept} and {@code verifier/reject} is one case, checked for its verdict, its
 * rejection message fragments and the rejected instruction.
 */
class VerifierCasesTest {

    static List<Path> files(String dir) throws IOException, URISyntaxException {
        Path root = Path.of(VerifierCasesTest.class.getResource("/verifier/" + dir).toURI());
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(p -> p.toString().endsWith(".s") || p.toString().endsWith(".hex")).sorted().toList();
        }
    }

    static VerifierCase load(Path p) throws Exception {
        return VerifierCase.parse(p.getFileName().toString(), Files.readString(p, StandardCharsets.UTF_8));
    }

    @TestFactory
    Stream<DynamicTest> accepted() throws Exception {
        return files("accept").stream().map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> check(load(p))));
    }

    @TestFactory
    Stream<DynamicTest> rejected() throws Exception {
        return files("reject").stream().map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> check(load(p))));
    }

    static void check(VerifierCase c) {
        VerifierResult r = Verifier.verify(c.prog(), c.options(1));
        String context = c.name() + " (" + c.title() + ")\n" + r.log();
        assertEquals(c.accept(), r.accepted(), () -> "verdict of " + context);
        for (String e : c.errors()) {
            assertTrue(r.error() != null && r.error().contains(e), () -> "expected '" + e + "' in the error of " + context);
        }
        for (String l : c.logs()) assertTrue(r.log().contains(l), () -> "expected '" + l + "' in the log of " + context);
        if (c.insn() >= 0) assertEquals(c.insn(), r.errorInsn(), () -> "rejected insn of " + context);
        if (c.kernelProcessed() > 0) {
            assertTrue(r.processed() <= 2L * c.kernelProcessed(), () -> "processed " + r.processed() + " insns, over twice the kernel's "
                    + c.kernelProcessed() + ": " + context);
        }
        // Level 2 must reach the same verdict and log every instruction it processed.
        VerifierResult r2 = Verifier.verify(c.prog(), c.options(2));
        assertEquals(r.accepted(), r2.accepted(), () -> "level 2 verdict of " + context);
        assertEquals(r.processed(), r2.processed(), () -> "level 2 processed count of " + context);
    }

    /** The suite holds at least one case per rule; keep it from shrinking unnoticed. */
    @Test
    void suiteSize() throws Exception {
        List<String> errors = new ArrayList<>();
        for (Path p : files("reject")) errors.addAll(load(p).errors());
        assertTrue(files("reject").size() >= 40, "reject cases: " + files("reject").size());
        assertTrue(files("accept").size() >= 15, "accept cases: " + files("accept").size());
        assertTrue(errors.size() >= files("reject").size(), "every reject case names its rule");
    }
}
