package org.obpf.api.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Assumptions;

/** Where the tests find external things: the conformance suite, clang and llvm-objdump. */
public final class Tools {
    private Tools() {}

    /** System property that points at the conformance suite directory. */
    public static final String CONFORMANCE_PROPERTY = "obpf.conformance.dir";

    /**
     * The conformance suite: {@code -Dobpf.conformance.dir=...}, else a {@code shared/conformance}
     * directory beside one of the module directory's ancestors (the repository's worktree layout
     * puts it at {@code ../../../shared/conformance} from {@code bundles/api}).
     */
    public static Path conformanceDir() {
        String prop = System.getProperty(CONFORMANCE_PROPERTY);
        if (prop != null) {
            Path p = Path.of(prop);
            if (!Files.isRegularFile(p.resolve("vectors.tsv"))) fail(CONFORMANCE_PROPERTY + "=" + p + " has no vectors.tsv");
            return p;
        }
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path p = d.resolve("shared").resolve("conformance");
            if (Files.isRegularFile(p.resolve("vectors.tsv"))) return p;
        }
        missing("the conformance suite (shared/conformance beside an ancestor of " + Path.of("").toAbsolutePath()
                + "; or set -D" + CONFORMANCE_PROPERTY + ")");
        return null;
    }

    /**
     * The path of a tool on PATH. When it is missing the calling test fails if the environment
     * variable CI is set, and is skipped with a message naming the tool otherwise.
     */
    public static Path tool(String name, String debianPackage) {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) return p;
            }
        }
        missing(name + " (Debian package " + debianPackage + ")");
        return null;
    }

    private static void missing(String what) {
        String message = "missing " + what;
        if (System.getenv("CI") != null) fail(message + "; CI is set, so this is a failure, not a skip");
        Assumptions.abort(message);
    }

    /** Runs a command, returns its standard output; fails the test on a non-zero exit. */
    public static String run(Path workDir, String... command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(false);
        Path err = Files.createTempFile(workDir, "stderr", ".txt");
        pb.redirectError(err.toFile());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        int rc = p.waitFor();
        if (rc != 0) fail(String.join(" ", command) + " exited " + rc + ":\n" + Files.readString(err));
        return out;
    }
}
