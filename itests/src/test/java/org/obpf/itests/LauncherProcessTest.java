package org.obpf.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runtime started the way users start it: {@code ./obpf} and the launcher jar, in their own process. */
class LauncherProcessTest {
    private static final Path ROOT = Path.of(System.getProperty("obpf.root", "..")).toAbsolutePath().normalize();

    record Result(int exit, String out, String err) {}

    private static Result run(List<String> command, Path cwd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile());
        pb.environment().put("OBPF_NO_BUILD", "1"); // the build under test made the distribution
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out after 60 s: " + command);
        }
        return new Result(p.exitValue(), new String(out.join(), StandardCharsets.UTF_8), new String(err.join(), StandardCharsets.UTF_8));
    }

    private static byte[] readAll(java.io.InputStream in) {
        try {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static Result obpf(Path cwd, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(ROOT.resolve("obpf").toString()));
        cmd.addAll(List.of(args));
        return run(cmd, cwd);
    }

    @Test
    void commandsRunWithoutATerminalAndEveryBundleIsActive(@TempDir Path cwd) throws Exception {
        Result r = obpf(cwd, "-c", "lb");
        assertEquals(0, r.exit(), r.err());
        for (String name : List.of("Apache Felix Declarative Services", "Apache Felix Gogo Runtime", "OBPF API", "OBPF core", "OBPF shell")) {
            assertTrue(r.out().lines().anyMatch(l -> l.contains("|Active") && l.contains(name)), name + " not Active in\n" + r.out());
        }
        assertTrue(r.out().lines().noneMatch(l -> l.matches(" *\\d+\\|(Installed|Resolved).*")), r.out());
        try (var files = Files.list(cwd)) {
            assertEquals(List.of(), files.toList(), "the framework cache must not land in the working directory");
        }
    }

    @Test
    void aFailingCommandGivesAFailingStatusAndOneLine(@TempDir Path cwd) throws Exception {
        Result r = obpf(cwd, "-c", "feature:list; nosuch:command; feature:list");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("obpf: Command not found: nosuch:command"), r.err());
        assertEquals(1, r.out().split("Description").length - 1, "stops at the failing command:\n" + r.out());
        assertTrue(!r.err().contains("\tat "), "no stack trace:\n" + r.err());
    }

    @Test
    void scriptsRunStatementByStatement(@TempDir Path cwd) throws Exception {
        Path script = cwd.resolve("demo.gogo");
        Files.writeString(script, """
                # a comment
                feature:uninstall obpf-core
                feature:list
                feature:install obpf-core
                each [1 2] {
                  echo item $it
                }
                """);
        Result r = obpf(cwd, script.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("uninstalled obpf-core (1 bundle(s) removed)"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("obpf-core +\\S+ +- .*")), r.out());
        assertTrue(r.out().contains("installed obpf-core (1 bundle(s) started)"), r.out());
        assertTrue(r.out().contains("item 1") && r.out().contains("item 2"), r.out());
    }

    @Test
    void hotInstalledBackendIsLogged(@TempDir Path cwd) throws Exception {
        // SCR registers the new component asynchronously; the sleep leaves it time before the framework stops.
        Result r = obpf(cwd, "--log-level", "info", "-c", "felix:start " + Osgi.EXAMPLE_BUNDLE.toUri() + "; sleep 1; lb");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().lines().anyMatch(l -> l.contains("|Active") && l.contains("OBPF example back-end: bpf")), r.out());
        assertTrue(r.err().contains("[INFO] JitDispatcher - JIT back-end arrived: arch=bpf from bundle org.obpf.jit.bpf"), r.err());
    }

    @Test
    void badArgumentsAreOneLineErrors(@TempDir Path cwd) throws Exception {
        Result r = obpf(cwd, "--features", "nope", "-c", "lb");
        assertEquals(1, r.exit());
        assertEquals("obpf: unknown feature 'nope' (features: all, framework, obpf-core, obpf-jit-nfp, obpf-jit-riscv, obpf-jit-x86_64, obpf-loader, obpf-offload-nfp, obpf-offload-rfpc, obpf-shell)", r.err().strip());
        r = obpf(cwd, cwd.resolve("missing.gogo").toString());
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("obpf: cannot read script "), r.err());
        r = obpf(cwd, "--bogus");
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("obpf: unknown argument '--bogus'"), r.err());
    }

    @Test
    void onlyTheNamedFeaturesAreInstalled(@TempDir Path cwd) throws Exception {
        Result r = obpf(cwd, "--features", "framework", "-c", "lb");
        assertEquals(0, r.exit(), r.err());
        assertTrue(!r.out().contains("OBPF"), r.out());
    }
}
